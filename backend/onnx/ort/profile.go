package ort

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// A NodeProfile is one node's kernel times in a profiled session, as
// onnxruntime's profiler recorded them.
type NodeProfile struct {
	// Name is the node's name in the graph onnxruntime ran, after its own
	// rewrites: a node it converted to its blocked layout is the model's
	// node name plus "_nchwc", one it fused is named after the first of
	// the nodes it replaced.
	Name  string
	Op    string          // its operator, "Conv"
	Times []time.Duration // its kernel time in each run, in order
}

// profileEvent is the part of a trace event ReadProfile reads.
type profileEvent struct {
	Cat  string  `json:"cat"`
	Name string  `json:"name"`
	Dur  float64 `json:"dur"` // microseconds
	Args struct {
		OpName string `json:"op_name"`
	} `json:"args"`
}

// kernelSuffix ends the name of the event that times a node's kernel;
// its fences before and after are separate events.
const kernelSuffix = "_kernel_time"

// ReadProfile parses the trace onnxruntime's profiler wrote for a session
// opened with SessionOptions.ProfilePrefix: a JSON array of Chrome trace
// events. It returns a NodeProfile per node that ran, in the order they
// first ran.
func ReadProfile(data []byte) ([]NodeProfile, error) {
	var events []profileEvent
	if err := json.Unmarshal(data, &events); err != nil {
		return nil, fmt.Errorf("onnxruntime profile: %v", err)
	}
	var nodes []NodeProfile
	index := map[string]int{}
	for _, e := range events {
		name, ok := strings.CutSuffix(e.Name, kernelSuffix)
		if e.Cat != "Node" || !ok || name == "" {
			continue
		}
		if !(e.Dur >= 0 && e.Dur < 1e12) { // a negative, NaN or absurd duration
			return nil, fmt.Errorf("onnxruntime profile: node %q took %v µs", name, e.Dur)
		}
		i, seen := index[name]
		if !seen {
			i = len(nodes)
			index[name] = i
			nodes = append(nodes, NodeProfile{Name: name, Op: e.Args.OpName})
		}
		nodes[i].Times = append(nodes[i].Times, time.Duration(e.Dur*float64(time.Microsecond)))
	}
	return nodes, nil
}
