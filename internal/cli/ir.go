package cli

import (
	"flag"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/resc-dev/resc/ir"
)

type irFlags struct {
	modelFlags
	optFlags
	printAfter string
	timePasses bool
	passes     bool
	json       bool
}

func init() {
	register(&command{
		name:  "ir",
		args:  "[-O0|-O1|-O2] [--print-after PASS|all] [--disable PASS] [--time-passes] [--json] [--model NAME] [--set NAME=VALUE] MODEL | --passes",
		short: "print a model's graph IR, before or after the passes",
		long: `IR prints the graph a model lowers to, after the IR passes of the chosen
level (-O2 by default; -O0 shows the graph as written), one node per line:

  %5 layer1.0.conv1 = Conv(%4) out=64 kernel=1x1 bias=true act=relu : [N,64,56,56]
      layer1.0.conv1.weight [64,64,1,1] = layer1.0.conv1.weight · layer1.0.bn1 scale

Each node has an id, a unique name derived from the source labels, an op with
its inputs and attributes, and its output shape (N is the symbolic batch).
A fused epilogue shows as residual=%k (an input added to the result),
post_affine (a per-channel scale and shift after it) and act=relu|sigmoid.
The indented lines are the node's parameters with their reference names,
shapes and initialisers ("buffer" marks batch-norm running statistics);
a parameter a pass computed says from what, after "=".

--passes lists the passes in pipeline order with the level each belongs
to. --print-after PASS prints the graph after that pass instead of at the
end (all: after every pass that runs); --time-passes reports each pass's
time and number of rewrites on stderr; --verify-each checks the graph after
every pass. --json prints the final graph as one JSON object instead: name,
naming, params, total_params, macs, output (a node id) and nodes (id, name,
op, inputs as ids, attrs, shape with null for the batch, params).`,
		flags: func(fs *flag.FlagSet) any {
			f := &irFlags{}
			f.modelFlags.register(fs)
			f.optFlags.register(fs)
			fs.StringVar(&f.printAfter, "print-after", "", "print the graph after pass `PASS` (or all)")
			fs.BoolVar(&f.timePasses, "time-passes", false, "report each pass's time and rewrites on stderr")
			fs.BoolVar(&f.passes, "passes", false, "list the IR passes and exit")
			fs.BoolVar(&f.json, "json", false, "print the graph as JSON")
			return f
		},
		run: runIR,
	})
}

func runIR(c *ctx, opts any, args []string) error {
	f := opts.(*irFlags)
	if f.passes {
		if len(args) > 0 {
			return usagef("--passes takes no MODEL")
		}
		listPasses(c)
		return nil
	}
	arg, err := oneArg(args, "MODEL (a stdlib model name or a .res file)")
	if err != nil {
		return err
	}
	if f.json && f.printAfter != "" {
		return usagef("--json and --print-after exclude each other")
	}
	o, err := f.optFlags.options()
	if err != nil {
		return err
	}
	if f.printAfter != "" && f.printAfter != "all" {
		if err := checkPassName("--print-after", f.printAfter); err != nil {
			return err
		}
	}
	model, err := loadModel(arg, &f.modelFlags)
	if err != nil {
		return err
	}
	g := model.Graph()
	var timings []ir.Timing
	if f.timePasses {
		o.Timings = &timings
	}
	if f.printAfter != "" {
		o.PrintAfter, o.Print = f.printAfter, c.stdout
	}
	before := len(g.Nodes)
	if err := ir.RunPipeline(g, o); err != nil {
		return err
	}
	switch {
	case f.json:
		if err := g.DumpJSON(c.stdout); err != nil {
			return err
		}
	case f.printAfter == "":
		g.Dump(c.stdout)
	}
	if f.timePasses {
		reportTimings(c, timings, before, len(g.Nodes))
	}
	return nil
}

func listPasses(c *ctx) {
	tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PASS\tLEVEL\tWHAT IT DOES")
	for _, p := range ir.Passes {
		level := fmt.Sprintf("-O%d", p.Level)
		if p.Required {
			level = "always"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", p.Name, level, p.Doc)
	}
	tw.Flush()
}

func reportTimings(c *ctx, timings []ir.Timing, before, after int) {
	tw := tabwriter.NewWriter(c.stderr, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "pass\ttime\trewrites\t")
	var total time.Duration
	for _, t := range timings {
		total += t.Elapsed
		fmt.Fprintf(tw, "%s\t%s\t%d\t\n", t.Pass, t.Elapsed.Round(time.Microsecond), t.Rewrites)
	}
	fmt.Fprintf(tw, "total\t%s\t%d → %d nodes\t\n", total.Round(time.Microsecond), before, after)
	tw.Flush()
}
