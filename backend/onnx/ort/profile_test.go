package ort

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestReadProfile parses a trace in onnxruntime's format: session events
// and fences are skipped, each node's kernel times are kept in run order.
func TestReadProfile(t *testing.T) {
	trace := `[
{"cat":"Session","pid":1,"tid":1,"dur":5000,"ts":1,"ph":"X","name":"model_run","args":{}},
{"cat":"Node","pid":1,"tid":1,"dur":0,"ts":2,"ph":"X","name":"conv1_nchwc_fence_before","args":{"op_name":"Conv"}},
{"cat":"Node","pid":1,"tid":1,"dur":1500,"ts":3,"ph":"X","name":"conv1_nchwc_kernel_time","args":{"op_name":"Conv","provider":"CPUExecutionProvider"}},
{"cat":"Node","pid":1,"tid":1,"dur":12.5,"ts":4,"ph":"X","name":"ReorderOutput_kernel_time","args":{"op_name":"ReorderOutput"}},
{"cat":"Node","pid":1,"tid":1,"dur":1300,"ts":5,"ph":"X","name":"conv1_nchwc_kernel_time","args":{"op_name":"Conv"}}
]`
	got, err := ReadProfile([]byte(trace))
	if err != nil {
		t.Fatal(err)
	}
	want := []NodeProfile{
		{Name: "conv1_nchwc", Op: "Conv", Times: []time.Duration{1500 * time.Microsecond, 1300 * time.Microsecond}},
		{Name: "ReorderOutput", Op: "ReorderOutput", Times: []time.Duration{12500 * time.Nanosecond}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("ReadProfile (-want +got):\n%s", d)
	}
	for _, bad := range []string{`{`, `[{"cat":"Node","name":"x_kernel_time","dur":-1}]`, `{"cat":"Node"}`} {
		if _, err := ReadProfile([]byte(bad)); err == nil {
			t.Errorf("ReadProfile(%s): no error", bad)
		}
	}
}

// FuzzReadProfile: any bytes give nodes or an error, never a panic, and
// every node has a name and a time per run it was seen in.
func FuzzReadProfile(f *testing.F) {
	f.Add([]byte(`[{"cat":"Node","name":"a_kernel_time","dur":3,"args":{"op_name":"Relu"}}]`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		nodes, err := ReadProfile(data)
		if err != nil {
			return
		}
		for _, n := range nodes {
			if n.Name == "" || len(n.Times) == 0 {
				t.Fatalf("node %+v", n)
			}
		}
	})
}
