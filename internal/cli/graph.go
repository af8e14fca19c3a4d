package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/resc-dev/resc/internal/atomicfile"
	"github.com/resc-dev/resc/internal/fold"
	"github.com/resc-dev/resc/internal/viz"
	"github.com/resc-dev/resc/ir"
)

type graphFlags struct {
	modelFlags
	optFlags
	depth  int
	out    string
	format string
}

// defaultGraphDepth shows blocks: layer1.0 in torchvision's naming,
// conv2_block1 in Keras's.
const defaultGraphDepth = 2

func init() {
	register(&command{
		name:  "graph",
		args:  "[-o FILE.svg|FILE.dot] [--depth N] [--format svg|dot] [-O0|-O1|-O2] [--disable PASS] [--model NAME] [--set NAME=VALUE] MODEL",
		short: "draw a model's graph as SVG, or write it as DOT",
		long: `Graph draws the network as a picture, after the IR passes of the chosen
level (-O2 by default; -O0 shows the graph as written), folded by label
scope to --depth N: at depth 1 every node made under label layer1 is one
box, at depth 2 (the default) every block (layer1.0, conv2_block1), and
--depth 0 or a depth past the deepest label shows every single op.

Each box gives its label, its op (with what the passes fused into it at
-O1 and -O2: Conv+BN+Add+ReLU is a conv with a batch norm folded into its
weights, a residual add and a ReLU in its epilogue) or, for a folded
scope, the block it instantiates and its node count, then its output
shape and parameter count. Residual shortcuts are dashed and routed
beside the main path; branches and paths stand side by side.

The SVG is laid out and written by resc itself, without Graphviz: layered
top to bottom, the same input giving the same bytes. A .dot file (or
--format dot) is the same graph in Graphviz's DOT language, for other
tools. The file is <model>.svg unless -o names another; -o - writes to the
standard output; it is written atomically, as build's output is.`,
		flags: func(fs *flag.FlagSet) any {
			f := &graphFlags{}
			f.modelFlags.register(fs)
			f.optFlags.register(fs)
			fs.IntVar(&f.depth, "depth", defaultGraphDepth, "fold nodes by their first `N` scope labels (0: every op)")
			fs.StringVar(&f.out, "o", "", "write the picture to `file` (default <model>.svg; - for the standard output)")
			fs.StringVar(&f.format, "format", "", "svg or dot (default: from the -o file's extension, else svg)")
			return f
		},
		run: runGraph,
	})
}

func runGraph(c *ctx, opts any, args []string) error {
	f := opts.(*graphFlags)
	arg, err := oneArg(args, "MODEL (a stdlib model name or a .res file)")
	if err != nil {
		return err
	}
	if f.depth < 0 {
		return usagef("--depth must be 0 or more, got %d", f.depth)
	}
	format, err := graphFormat(f.format, f.out)
	if err != nil {
		return err
	}
	o, err := f.optFlags.options()
	if err != nil {
		return err
	}
	model, err := loadModel(arg, &f.modelFlags)
	if err != nil {
		return err
	}
	g := model.Graph()
	if err := ir.RunPipeline(g, o); err != nil {
		return err
	}
	fg := fold.Fold(g, f.depth)
	st := g.Stats()
	title := fmt.Sprintf("%s · depth %d · -O%d · %d nodes · %s params · %.2f GMACs",
		g.Name, f.depth, o.Level, len(g.Nodes), commas(st.Total), float64(st.MACs)/1e9)
	write := func(w io.Writer) error {
		if format == "dot" {
			return viz.WriteDOT(w, fg, title)
		}
		return viz.WriteSVG(w, fg, title)
	}
	out := f.out
	if out == "" {
		out = g.Name + "." + format
	}
	if out == stdoutName {
		if err := write(c.stdout); err != nil {
			return writeError("the standard output", err)
		}
		return nil
	}
	if info, err := os.Stat(out); err == nil && info.IsDir() {
		return fmt.Errorf("cannot write %s: it is a folder", out)
	}
	if err := refuseOverwrite("-o", out, model.Files()); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Dir(out)); err != nil {
		return fmt.Errorf("cannot write %s: %v", out, unwrapPath(err))
	}
	if err := atomicfile.WriteFunc(out, 0o644, write); err != nil {
		return writeError(out, err)
	}
	fmt.Fprintf(c.stderr, "wrote %s: %s, %d boxes at depth %d (%d nodes)\n", out, g.Name, len(fg.Boxes), f.depth, len(g.Nodes))
	return nil
}

// writeError reports a failed write, or a graph too large to lay out as
// itself.
func writeError(out string, err error) error {
	var big *viz.TooLargeError
	if errors.As(err, &big) {
		return big
	}
	return fmt.Errorf("cannot write %s: %v", out, unwrapPath(err))
}

// graphFormat is the output format: --format, else the -o file's
// extension, SVG for none (-o /dev/null).
func graphFormat(format, out string) (string, error) {
	switch format {
	case "svg", "dot":
		return format, nil
	case "":
	default:
		return "", usagef("--format %s: want svg or dot", format)
	}
	switch ext := strings.ToLower(filepath.Ext(out)); {
	case out == "" || out == stdoutName || ext == "" || ext == ".svg":
		return "svg", nil
	case ext == ".dot" || ext == ".gv":
		return "dot", nil
	}
	return "", usagef("-o %s: graph writes .svg or .dot files (or give --format)", out)
}
