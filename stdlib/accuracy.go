package stdlib

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
)

// accuracyTable is accuracy.tsv: the references' published ImageNet
// accuracies for the models, kept beside the models so that a figure and
// its source change together.
//
//go:embed accuracy.tsv
var accuracyTable string

// An Accuracy is one row of accuracy.tsv: what a reference publishes as
// the ImageNet-1k validation accuracy of its weights for a model.
type Accuracy struct {
	Model string
	// Top1 and Top5 are in percent; Top5 is 0 when not published.
	Top1, Top5 float64
	// Published is false for a model without a published figure; Note
	// says why.
	Published bool
	// Size is the input resolution the figure was measured at.
	Size    int
	Weights string
	Source  string
	Note    string
}

// accuracyColumns is the header row of accuracy.tsv.
var accuracyColumns = []string{"model", "top1", "top5", "size", "weights", "source", "note"}

// Accuracies returns the rows of accuracy.tsv in file order.
func Accuracies() ([]Accuracy, error) { return parseAccuracies(accuracyTable) }

// parseAccuracies reads the table format of accuracy.tsv: '#' comment
// lines, a header, then tab-separated rows.
func parseAccuracies(text string) ([]Accuracy, error) {
	var out []Accuracy
	header := false
	seen := map[string]bool{}
	for i, line := range strings.Split(text, "\n") {
		lineNo := i + 1
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, "\t")
		if len(fields) != len(accuracyColumns) {
			return nil, fmt.Errorf("accuracy.tsv:%d: %d fields, want %d", lineNo, len(fields), len(accuracyColumns))
		}
		if !header {
			if strings.Join(fields, "\t") != strings.Join(accuracyColumns, "\t") {
				return nil, fmt.Errorf("accuracy.tsv:%d: header is %q, want %q", lineNo, line, strings.Join(accuracyColumns, "\t"))
			}
			header = true
			continue
		}
		a := Accuracy{Model: fields[0], Weights: fields[4], Source: fields[5], Note: fields[6]}
		if a.Model == "" || a.Weights == "" || !strings.HasPrefix(a.Source, "https://") {
			return nil, fmt.Errorf("accuracy.tsv:%d: a row needs a model, weights and an https source", lineNo)
		}
		if seen[a.Model] {
			return nil, fmt.Errorf("accuracy.tsv:%d: model %s listed twice", lineNo, a.Model)
		}
		seen[a.Model] = true
		var err error
		if a.Size, err = strconv.Atoi(fields[3]); err != nil || a.Size <= 0 {
			return nil, fmt.Errorf("accuracy.tsv:%d: size %q is not a positive integer", lineNo, fields[3])
		}
		if fields[1] == "-" {
			if fields[2] != "-" || a.Note == "" {
				return nil, fmt.Errorf("accuracy.tsv:%d: a model without a top-1 figure needs no top-5 and a note saying why", lineNo)
			}
			out = append(out, a)
			continue
		}
		a.Published = true
		if a.Top1, err = percent(fields[1]); err != nil {
			return nil, fmt.Errorf("accuracy.tsv:%d: top1: %v", lineNo, err)
		}
		if fields[2] != "-" {
			if a.Top5, err = percent(fields[2]); err != nil {
				return nil, fmt.Errorf("accuracy.tsv:%d: top5: %v", lineNo, err)
			}
			if a.Top5 < a.Top1 {
				return nil, fmt.Errorf("accuracy.tsv:%d: top5 %v is below top1 %v", lineNo, a.Top5, a.Top1)
			}
		}
		out = append(out, a)
	}
	if !header {
		return nil, fmt.Errorf("accuracy.tsv: no header")
	}
	return out, nil
}

// percent parses an accuracy in percent, (0, 100].
func percent(s string) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || !(v > 0 && v <= 100) {
		return 0, fmt.Errorf("%q is not a percentage in (0, 100]", s)
	}
	return v, nil
}
