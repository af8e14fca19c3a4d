package cli

import (
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/resc-dev/resc/backend/native"
)

// profileTop is how many of the slowest steps --profile lists one by one.
const profileTop = 25

// benchProfile runs a native program runs more times with every step
// timed and prints the steps slowest first: time per run, GFLOP/s and
// share of the whole, then the total by operation, so that one sees where
// the time goes. It runs after the alternating measurements, which the
// clock reads would otherwise disturb.
func benchProfile(w io.Writer, describe string, p *native.Program, in []float32, batch, runs int, outs [][]float32) ([]native.StepProfile, error) {
	prof := p.Profile()
	for range runs {
		if err := p.RunProfiled(in, batch, outs, prof); err != nil {
			return nil, err
		}
	}
	return prof, printNativeProfile(w, describe, prof, batch, runs)
}

// printNativeProfile prints prof, the steps' times over runs runs of
// batch images: the slowest steps, then the totals by operation.
func printNativeProfile(w io.Writer, describe string, prof []native.StepProfile, batch, runs int) error {
	var total time.Duration
	for _, s := range prof {
		total += s.Time
	}
	if total == 0 {
		return nil
	}
	perRun := func(d time.Duration) float64 { return d.Seconds() * 1e3 / float64(runs) }
	gflops := func(macs int64, d time.Duration) string {
		if macs == 0 || d == 0 {
			return "-"
		}
		return fmt.Sprintf("%.1f", 2*float64(macs)*float64(batch*runs)/d.Seconds()/1e9)
	}
	share := func(d time.Duration) string { return fmt.Sprintf("%.1f%%", 100*d.Seconds()/total.Seconds()) }

	fmt.Fprintf(w, "\nprofile of %s, %d runs: %.2f ms per run in %d steps, slowest first\n", describe, runs, perRun(total), len(prof))
	order := slices.Clone(prof)
	slices.SortStableFunc(order, func(a, b native.StepProfile) int { return int(b.Time - a.Time) })
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "node\top\tms\tGFLOP/s\tshare\t")
	var rest time.Duration
	for i, s := range order {
		if i >= profileTop {
			rest += s.Time
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%.3f\t%s\t%s\t\n", s.Node, s.Op, perRun(s.Time), gflops(s.MACs, s.Time), share(s.Time))
	}
	if n := len(order) - profileTop; n > 0 {
		fmt.Fprintf(tw, "(%d more)\t\t%.3f\t\t%s\t\n", n, perRun(rest), share(rest))
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	// The same by operation, largest first.
	type opTotal struct {
		op    string
		steps int
		macs  int64
		time  time.Duration
	}
	var ops []*opTotal
	for _, s := range prof {
		i := slices.IndexFunc(ops, func(o *opTotal) bool { return o.op == s.Op })
		if i < 0 {
			ops = append(ops, &opTotal{op: s.Op})
			i = len(ops) - 1
		}
		ops[i].steps++
		ops[i].macs += s.MACs
		ops[i].time += s.Time
	}
	slices.SortStableFunc(ops, func(a, b *opTotal) int { return int(b.time - a.time) })
	fmt.Fprintf(w, "\nby operation\n")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "op\tsteps\tms\tGFLOP/s\tshare\t")
	for _, o := range ops {
		fmt.Fprintf(tw, "%s\t%d\t%.3f\t%s\t%s\t\n", o.op, o.steps, perRun(o.time), gflops(o.macs, o.time), share(o.time))
	}
	return tw.Flush()
}
