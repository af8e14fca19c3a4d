package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"
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
	rows := make([]profileRow, len(prof))
	for i, s := range prof {
		rows[i] = profileRow{node: s.Node, op: s.Op, macs: s.MACs, time: s.Time}
	}
	return printProfile(w, profileTable{title: fmt.Sprintf("profile of %s, %d runs", describe, runs), unit: "steps",
		flops: true, batch: batch, runs: runs}, rows)
}

// A profileRow is one node's time summed over the profiled runs, and its
// multiply-accumulates per image where they are known.
type profileRow struct {
	node, op string
	macs     int64
	time     time.Duration
}

// A profileTable says how printProfile heads and measures its rows.
type profileTable struct {
	title       string // "profile of native, 1 thread, 20 runs"
	unit        string // what a row is, plural: "steps"
	flops       bool   // a GFLOP/s column, from the rows' MACs
	batch, runs int
}

// printProfile prints rows slowest first, with their time per run, GFLOP/s
// where t asks for it and share of the whole, then the same totalled by
// operation.
func printProfile(w io.Writer, t profileTable, rows []profileRow) error {
	var total time.Duration
	for _, r := range rows {
		total += r.time
	}
	if total == 0 {
		return nil
	}
	perRun := func(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()*1e3/float64(t.runs)) }
	share := func(d time.Duration) string { return fmt.Sprintf("%.1f%%", 100*d.Seconds()/total.Seconds()) }
	gflops := func(macs int64, d time.Duration) string {
		if macs == 0 || d == 0 {
			return "-"
		}
		return fmt.Sprintf("%.1f", 2*float64(macs)*float64(t.batch*t.runs)/d.Seconds()/1e9)
	}
	// line writes a table line: the cells, then gf in the GFLOP/s column
	// when the table has one, then last.
	line := func(tw io.Writer, cells []string, gf, last string) {
		if t.flops {
			cells = append(cells, gf)
		}
		fmt.Fprintf(tw, "%s\t%s\t\n", strings.Join(cells, "\t"), last)
	}

	fmt.Fprintf(w, "\n%s: %.2f ms per run in %d %s, slowest first\n", t.title, total.Seconds()*1e3/float64(t.runs), len(rows), t.unit)
	order := slices.Clone(rows)
	slices.SortStableFunc(order, func(a, b profileRow) int { return int(b.time - a.time) })
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	line(tw, []string{"node", "op", "ms"}, "GFLOP/s", "share")
	var rest time.Duration
	for i, r := range order {
		if i >= profileTop {
			rest += r.time
			continue
		}
		line(tw, []string{r.node, r.op, perRun(r.time)}, gflops(r.macs, r.time), share(r.time))
	}
	if n := len(order) - profileTop; n > 0 {
		line(tw, []string{fmt.Sprintf("(%d more)", n), "", perRun(rest)}, "", share(rest))
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	// The same by operation, largest first.
	type opTotal struct {
		op   string
		rows int
		macs int64
		time time.Duration
	}
	var ops []*opTotal
	for _, r := range rows {
		i := slices.IndexFunc(ops, func(o *opTotal) bool { return o.op == r.op })
		if i < 0 {
			ops = append(ops, &opTotal{op: r.op})
			i = len(ops) - 1
		}
		ops[i].rows++
		ops[i].macs += r.macs
		ops[i].time += r.time
	}
	slices.SortStableFunc(ops, func(a, b *opTotal) int { return int(b.time - a.time) })
	fmt.Fprintf(w, "\nby operation\n")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	line(tw, []string{"op", t.unit, "ms"}, "GFLOP/s", "share")
	for _, o := range ops {
		line(tw, []string{o.op, fmt.Sprint(o.rows), perRun(o.time)}, gflops(o.macs, o.time), share(o.time))
	}
	return tw.Flush()
}
