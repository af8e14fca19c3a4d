package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/resc-dev/resc/backend/native"
	"github.com/resc-dev/resc/backend/onnx/ort"
)

// benchProfiles profiles each benched backend after the measured runs:
// a native one step by step (benchProfile), onnxruntime through its own
// profiler (profiled). With one of each it then lines them up node by
// node, so that one sees which layers trail and by how much.
func benchProfiles(w io.Writer, benched []*benchedBackend, batch, runs int) error {
	var nat []native.StepProfile
	var ortNodes []ortNodeTime
	natives, onnxes := 0, 0
	for _, b := range benched {
		switch e := b.exec.(type) {
		case *nativeExec:
			prof, err := benchProfile(w, b.describe, e.p.Backend(), b.in, batch, runs, b.outs)
			if err != nil {
				return err
			}
			nat = prof
			natives++
		case *onnxExec:
			nodes, err := e.profiled(b.in, batch, runs, b.outs)
			if err != nil {
				return err
			}
			ortNodes = nodes
			onnxes++
			if err := printORTProfile(w, b.describe, nodes, runs); err != nil {
				return err
			}
		}
	}
	if natives == 1 && onnxes == 1 {
		return printProfileComparison(w, nat, ortNodes, runs)
	}
	return nil
}

// An ortNodeTime is one onnxruntime node's kernel time over the
// profiled runs.
type ortNodeTime struct {
	name, op string
	time     time.Duration
}

// profileFileLimit bounds the trace bench reads back: resnet50's over 20
// runs is about 1 MB.
const profileFileLimit = 1 << 30

// profiled runs the model runs times, after one warm-up, in a fresh
// session with onnxruntime's profiler on, and returns each node's kernel
// time over those runs. The trace goes to a temporary directory, removed
// afterwards.
func (e *onnxExec) profiled(in []float32, batch, runs int, outs [][]float32) ([]ortNodeTime, error) {
	if e.model == nil {
		return nil, fmt.Errorf("onnxruntime profile: the session was opened without --profile")
	}
	dir, err := os.MkdirTemp("", "resc-profile-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	opts := e.opts
	opts.ProfilePrefix = filepath.Join(dir, "onnxruntime")
	s, err := ort.NewSession(e.model, opts)
	if err != nil {
		return nil, err
	}
	pe := *e
	pe.s = s
	for range 1 + runs {
		if err := pe.run(in, batch, outs); err != nil {
			s.Close()
			return nil, err
		}
	}
	if err := s.Close(); err != nil { // writes the trace
		return nil, err
	}
	files, err := filepath.Glob(opts.ProfilePrefix + "*.json")
	if err != nil || len(files) != 1 {
		return nil, fmt.Errorf("onnxruntime profile: want one trace in %s, found %d", dir, len(files))
	}
	if fi, err := os.Stat(files[0]); err != nil || fi.Size() > profileFileLimit {
		return nil, fmt.Errorf("onnxruntime profile: %s is missing or over %d bytes", files[0], profileFileLimit)
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		return nil, err
	}
	nodes, err := ort.ReadProfile(data)
	if err != nil {
		return nil, err
	}
	var times []ortNodeTime
	for _, n := range nodes {
		t := ortNodeTime{name: n.Name, op: n.Op}
		for _, d := range n.Times[max(0, len(n.Times)-runs):] { // the warm-up left out
			t.time += d
		}
		times = append(times, t)
	}
	return times, nil
}

// printORTProfile prints onnxruntime's nodes slowest first, with their
// kernel time per run and share, then the totals by operation.
func printORTProfile(w io.Writer, describe string, nodes []ortNodeTime, runs int) error {
	rows := make([]profileRow, len(nodes))
	for i, n := range nodes {
		rows[i] = profileRow{node: n.name, op: n.op, time: n.time}
	}
	return printProfile(w, profileTable{title: fmt.Sprintf("profile of %s, %d runs (its profiler's kernel times)", describe, runs),
		unit: "nodes", runs: runs}, rows)
}

// nativeStepOf is the native step an onnxruntime node belongs to: the
// step whose node name is the longest one the node's name equals or
// extends at a "/" or "_". The export names a node's parts after it
// ("layer1.0.conv3/conv", "/relu"), and onnxruntime marks the nodes it
// moved to its blocked layout ("_nchwc") and names a fusion after its
// first node. It returns -1 for onnxruntime's own nodes (its layout
// reorders).
func nativeStepOf(name string, steps map[string]int) int {
	for {
		if i, ok := steps[name]; ok {
			return i
		}
		cut := strings.LastIndexAny(name, "/_")
		if cut <= 0 {
			return -1
		}
		name = name[:cut]
	}
}

// printProfileComparison lines up the native steps with onnxruntime's
// nodes, largest difference first: each step's time per run, the time of
// onnxruntime's nodes that belong to it, and their ratio; onnxruntime's
// nodes of no step are listed by name.
func printProfileComparison(w io.Writer, nat []native.StepProfile, nodes []ortNodeTime, runs int) error {
	type row struct {
		node, op     string
		native, onnx time.Duration
	}
	rows := make([]row, len(nat))
	steps := make(map[string]int, len(nat))
	for i, s := range nat {
		rows[i] = row{node: s.Node, op: s.Op, native: s.Time}
		steps[s.Node] = i
	}
	for _, n := range nodes {
		if i := nativeStepOf(n.name, steps); i >= 0 {
			rows[i].onnx += n.time
		} else {
			rows = append(rows, row{node: n.name, op: n.op, onnx: n.time})
		}
	}
	var totalNative, totalORT time.Duration
	for _, r := range rows {
		totalNative += r.native
		totalORT += r.onnx
	}
	perRun := func(d time.Duration) float64 { return d.Seconds() * 1e3 / float64(runs) }
	slices.SortStableFunc(rows, func(a, b row) int { return int((b.native - b.onnx) - (a.native - a.onnx)) })
	fmt.Fprintf(w, "\nnative against onnxruntime, node by node, largest difference first: %.2f ms per run against %.2f\n",
		perRun(totalNative), perRun(totalORT))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "node\top\tnative ms\tonnxruntime ms\tratio\t")
	ms := func(d time.Duration) string {
		if d == 0 {
			return "-"
		}
		return fmt.Sprintf("%.3f", perRun(d))
	}
	var restNative, restORT time.Duration
	for i, r := range rows {
		if i >= profileTop {
			restNative += r.native
			restORT += r.onnx
			continue
		}
		ratio := "-"
		if r.native > 0 && r.onnx > 0 {
			ratio = fmt.Sprintf("%.2f", r.native.Seconds()/r.onnx.Seconds())
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", r.node, r.op, ms(r.native), ms(r.onnx), ratio)
	}
	if n := len(rows) - profileTop; n > 0 {
		fmt.Fprintf(tw, "(%d more)\t\t%s\t%s\t\t\n", n, ms(restNative), ms(restORT))
	}
	return tw.Flush()
}
