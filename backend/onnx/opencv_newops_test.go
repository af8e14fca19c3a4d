package onnx

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/resc-dev/resc/internal/npy"
)

// openCVRefuses says why OpenCV 4.6's DNN module cannot read an op case's
// export at the given opset and batch (0: symbolic), as a part of the
// error it gives, or "" where it reads it. docs/onnx.md has the same
// table; TestOpenCVNewOps holds OpenCV to it both ways.
func openCVRefuses(name string, opset, batch int) string {
	switch {
	case name == "relu6":
		// Clip's bounds are inputs from opset 11; 4.6 reads only the
		// attribute form of opset 6.
		return "node_proto.input_size() == 1"
	case (name == "gelu" || name == "linear_gelu") && opset >= 20:
		return "Node [Gelu@ai.onnx]"
	case strings.HasPrefix(name, "layernorm") && opset >= 17:
		return "Node [LayerNormalization@ai.onnx]"
	case strings.HasPrefix(name, "layernorm"):
		// The ReduceMean decomposition over axis 1: an assertion in
		// shape_utils (NCHW) or parseMul ([N,C]).
		return "Assertion failed"
	case name == "space_to_depth" && batch == 0:
		// 4.6 expands SpaceToDepth to Reshape and a 6-D Permute, sized
		// wrongly when the batch is symbolic.
		return "_numAxes == inputs[0].size()"
	}
	return ""
}

// TestOpenCVNewOps runs each newer op's tiny model (newOpCases) in
// OpenCV's DNN module at opsets 13, 17 and 20, with the batch symbolic and
// fixed: where openCVRefuses says it reads the model, its output must
// match the plain loops' within 1e-5 of the largest output; where it says
// it does not, OpenCV must fail as it says.
func TestOpenCVNewOps(t *testing.T) {
	c := startConsumer(t, "cv2")
	dir := t.TempDir()
	in, want := filepath.Join(dir, "input.npy"), filepath.Join(dir, "want.npy")
	for i, cs := range newOpCases() {
		for _, opset := range []int{13, 17, 20} {
			for _, batch := range []int{0, 2} {
				what := fmt.Sprintf("%s opset %d batch %d", cs.name, opset, batch)
				g, w := cs.build(uint64(i))
				path := filepath.Join(dir, "model.onnx")
				writeModel(t, path, g, w, Options{Opset: opset, Batch: batch})
				x, shape := randomInput(g, 2, uint64(i))
				for k := range x {
					x[k] *= 3
				}
				ref, err := loopEval(g, w, x, 2)
				if err != nil {
					t.Fatal(err)
				}
				out := make([]float32, len(ref[0].data))
				for k, v := range ref[0].data {
					out[k] = float32(v)
				}
				if err := npy.WriteFile(in, x, ints(shape)); err != nil {
					t.Fatal(err)
				}
				if err := npy.WriteFile(want, out, ref[0].shape); err != nil {
					t.Fatal(err)
				}
				got, err := c.ask("opencv", path, in, want)
				refusal := openCVRefuses(cs.name, opset, batch)
				switch {
				case refusal != "" && err == nil:
					t.Errorf("%s: OpenCV reads it now (%s); update openCVRefuses and docs/onnx.md", what, got)
				case refusal != "" && !strings.Contains(err.Error(), refusal):
					t.Errorf("%s: OpenCV fails otherwise than expected (want %q): %v", what, refusal, err)
				case refusal == "" && err != nil:
					t.Errorf("%s: OpenCV: %v", what, err)
				case refusal == "":
					f := strings.Fields(got)
					diff, _ := strconv.ParseFloat(f[0], 64)
					maxAbs, _ := strconv.ParseFloat(f[1], 64)
					if !(diff <= 1e-5*maxAbs) {
						t.Errorf("%s: OpenCV differs from the definition by %g, largest output %g", what, diff, maxAbs)
					}
				}
			}
		}
	}
}
