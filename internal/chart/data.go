// Package chart draws the accuracy-versus-operations chart of Bianco et al.
// ("Benchmark Analysis of Representative Deep Neural Network
// Architectures", 2018) for the standard library: each model a bubble at
// its MACs (x) and its reference's published ImageNet top-1 accuracy (y),
// the bubble's area proportional to its parameters, one colour per family.
package chart

import (
	"fmt"
	"strconv"

	"github.com/resc-dev/resc"
	"github.com/resc-dev/resc/stdlib"
)

// imagenetClasses is the width of an ImageNet-1k classifier: the models
// the chart is about. The others (the CIFAR-10 models) have no ImageNet
// figure to plot.
const imagenetClasses = 1000

// A Point is one charted model.
type Point struct {
	Model   string
	Family  string // the stdlib module that defines it
	Top1    float64
	Top5    float64 // 0 when not published
	Params  int64   // trainable parameters
	MACs    int64   // of one image at Size
	Size    int     // the input resolution of the figure and of MACs
	Weights string
	Source  string
	Named   bool // named (not just matched) by --models: always labelled
}

// An Omission is a stdlib model left off the chart, and why.
type Omission struct {
	Model  string
	Reason string
}

// Collect gathers the points for the stdlib models whose names match
// (nil: all) and the matching models it leaves out. A model of
// accuracy.tsv that the stdlib lacks is an error: the table and the
// models must not drift apart.
func Collect(match func(name string) bool) ([]Point, []Omission, error) {
	models, err := resc.StdlibModels()
	if err != nil {
		return nil, nil, err
	}
	rows, err := stdlib.Accuracies()
	if err != nil {
		return nil, nil, err
	}
	byModel := map[string]stdlib.Accuracy{}
	for _, r := range rows {
		byModel[r.Model] = r
	}
	known := map[string]bool{}
	for _, m := range models {
		known[m.Name] = true
	}
	for _, r := range rows {
		if !known[r.Model] {
			return nil, nil, fmt.Errorf("stdlib accuracy table names %s, which is not a stdlib model", r.Model)
		}
	}
	var points []Point
	var left []Omission
	for _, m := range models {
		if match != nil && !match(m.Name) {
			continue
		}
		s, err := summarize(m.Name, 0)
		if err != nil {
			return nil, nil, err
		}
		if classes := outputWidth(s); classes != imagenetClasses {
			left = append(left, Omission{m.Name, fmt.Sprintf("a %d-class model (%dx%d input), not an ImageNet classifier", classes, s.size, s.size)})
			continue
		}
		r, ok := byModel[m.Name]
		switch {
		case !ok:
			left = append(left, Omission{m.Name, "no accuracy recorded in the stdlib's accuracy table"})
			continue
		case !r.Published:
			left = append(left, Omission{m.Name, r.Note})
			continue
		}
		if r.Size != s.size {
			if s, err = summarize(m.Name, r.Size); err != nil {
				return nil, nil, fmt.Errorf("%s at the figure's input size %d: %w", m.Name, r.Size, err)
			}
		}
		points = append(points, Point{
			Model: m.Name, Family: m.Module,
			Top1: r.Top1, Top5: r.Top5,
			Params: s.Trainable, MACs: s.MACs, Size: r.Size,
			Weights: r.Weights, Source: r.Source,
		})
	}
	return points, left, nil
}

// modelSummary is a model's summary with its input resolution.
type modelSummary struct {
	*resc.Summary
	size int
}

// summarize builds stdlib model name at input resolution size (0: its
// default) and summarises it.
func summarize(name string, size int) (modelSummary, error) {
	var opts resc.Options
	if size > 0 {
		opts.Set = map[string]string{"size": strconv.Itoa(size)}
	}
	m, err := resc.LoadStdlib(name, opts)
	if err != nil {
		return modelSummary{}, err
	}
	s, err := m.Summary()
	if err != nil {
		return modelSummary{}, err
	}
	return modelSummary{s, s.Input[len(s.Input)-1]}, nil
}

// outputWidth is the last dimension of a one-output model's output: its
// classes. A model with several outputs is no classifier: 0.
func outputWidth(s modelSummary) int {
	if len(s.Outputs) != 1 || len(s.Outputs[0].Shape) == 0 {
		return 0
	}
	o := s.Outputs[0].Shape
	return o[len(o)-1]
}
