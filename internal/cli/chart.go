package cli

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/resc-dev/resc/internal/atomicfile"
	"github.com/resc-dev/resc/internal/chart"
)

type chartFlags struct {
	out    string
	models string
}

func init() {
	register(&command{
		name:  "chart",
		args:  "[-o chart.svg|chart.png] [--models PATTERN]",
		short: "draw the stdlib's accuracy-versus-operations chart",
		long: `Chart draws the chart of Bianco et al. ("Benchmark Analysis of
Representative Deep Neural Network Architectures", 2018) for the standard
library: each ImageNet model is a bubble at its GMACs (x) and the top-1
accuracy its reference publishes for its published weights (y), with the
bubble's area proportional to its trainable parameters, one colour per
family (stdlib module). Each family's frontier (no cheaper model of the
family is as accurate) and every model named in full by --models are
labelled; the other bubbles where their label fits beside them (in SVG,
every bubble shows its name on hovering).

The accuracies, with their sources (torchvision's weights metadata, timm's
results-imagenet.csv, the Keras applications table, classification_models'
README), the weights they belong to and the input size they were measured
at, are the stdlib's table stdlib/accuracy.tsv; MACs are counted at that
input size. Models without a published ImageNet figure (the CIFAR-10
models, timm architectures without weights) are left out and listed on
standard error with the reason.

--models takes a comma-separated list of patterns ('resnet*,cm_*'), as
the shell matches names; a pattern that matches no stdlib model is an
error.

-o names the file, chart.svg by default: .svg (fonts embedded) or .png
(1920x1200 pixels, growing with the number of models past 60 up to
2560x1600); -o - writes SVG to the standard output. The file is
written atomically, and the same stdlib gives the same bytes.`,
		flags: func(fs *flag.FlagSet) any {
			f := &chartFlags{}
			fs.StringVar(&f.out, "o", "chart.svg", "write the chart to `file` (.svg or .png; - for SVG on the standard output)")
			fs.StringVar(&f.models, "models", "", "chart only the models matching `patterns` (comma-separated, as 'resnet*,cm_*')")
			return f
		},
		run: runChart,
	})
}

func runChart(c *ctx, opts any, args []string) error {
	f := opts.(*chartFlags)
	if len(args) > 0 {
		return usagef("chart takes no arguments (use --models to choose models)")
	}
	format := chart.SVG
	if f.out != stdoutName {
		var err error
		if format, err = chart.FormatOf(f.out); err != nil {
			return usagef("-o %v", err)
		}
	}
	match, err := modelPatterns(f.models)
	if err != nil {
		return err
	}
	points, left, err := chart.Collect(match.matches)
	if err != nil {
		return err
	}
	if unused := match.unused(); len(unused) > 0 {
		return usagef("--models: %s matches no stdlib model (see 'resc list')", strings.Join(unused, ", "))
	}
	match.markNamed(points)
	reportLeftOut(c.stderr, left)
	if len(points) == 0 {
		return fmt.Errorf("no model to chart: every model that --models %s matches is left out", f.models)
	}
	write := func(w io.Writer) error { return chart.Render(w, format, points) }
	if f.out == stdoutName {
		if err := write(c.stdout); err != nil {
			return fmt.Errorf("cannot write the standard output: %v", err)
		}
		return nil
	}
	if info, err := os.Stat(f.out); err == nil && info.IsDir() {
		return fmt.Errorf("cannot write %s: it is a folder", f.out)
	}
	if _, err := os.Stat(filepath.Dir(f.out)); err != nil {
		return fmt.Errorf("cannot write %s: %v", f.out, unwrapPath(err))
	}
	if err := atomicfile.WriteFunc(f.out, 0o644, write); err != nil {
		return fmt.Errorf("cannot write %s: %v", f.out, unwrapPath(err))
	}
	fmt.Fprintf(c.stderr, "wrote %s: %s\n", f.out, plural(len(points), "model"))
	return nil
}

// reportLeftOut lists on w the models the chart leaves out, and why.
func reportLeftOut(w io.Writer, left []chart.Omission) {
	if len(left) == 0 {
		return
	}
	fmt.Fprintf(w, "left out %s without a published ImageNet figure:\n", plural(len(left), "model"))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, o := range left {
		fmt.Fprintf(tw, "  %s\t%s\n", o.Model, o.Reason)
	}
	tw.Flush()
}

// patternSet is --models: shell patterns, each of which must match
// some stdlib model.
type patternSet struct {
	patterns []string
	used     map[string]bool
}

// modelPatterns parses --models; empty means every model.
func modelPatterns(s string) (*patternSet, error) {
	ps := &patternSet{used: map[string]bool{}}
	if s == "" {
		return ps, nil
	}
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			return nil, usagef("--models %q: an empty pattern", s)
		}
		if _, err := path.Match(p, ""); err != nil {
			return nil, usagef("--models: %q is not a valid pattern", p)
		}
		ps.patterns = append(ps.patterns, p)
	}
	return ps, nil
}

func (ps *patternSet) matches(name string) bool {
	if len(ps.patterns) == 0 {
		return true
	}
	hit := false
	for _, p := range ps.patterns {
		if ok, _ := path.Match(p, name); ok {
			ps.used[p] = true
			hit = true
		}
	}
	return hit
}

// markNamed marks the points that a pattern names in full (no wildcard):
// the chart always labels them.
func (ps *patternSet) markNamed(points []chart.Point) {
	for i := range points {
		points[i].Named = slices.Contains(ps.patterns, points[i].Model)
	}
}

// unused lists the patterns that matched nothing.
func (ps *patternSet) unused() []string {
	var out []string
	for _, p := range ps.patterns {
		if !ps.used[p] {
			out = append(out, p)
		}
	}
	return out
}
