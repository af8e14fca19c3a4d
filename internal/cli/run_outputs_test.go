package cli

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// severalOutputsSource is a network with three outputs, built from the
// language issue's layers: an output read on by later layers, a feature
// map, and the logits.
const severalOutputsSource = `
network multi() {
  input(3, 16, 16)
  stem: conv(8, 3)
  bn: bn
  silu
  output stem_out
  let xs = split(current, 2)
  concat(xs[1], xs[0])
  c2: conv(8, 3, groups: 2)
  ln: layernorm
  gelu
  output mid
  gap
  flatten
  fc: fc(5)
  output logits
}
`

// TestRunSeveralOutputs: resc run says every output with its shape, ranks
// the logits, writes every output to an .npz archive by name, refuses an
// .npy for several outputs with a hint, and lists the outputs in --json.
func TestRunSeveralOutputs(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "multi.res")
	if err := os.WriteFile(src, []byte(severalOutputsSource), 0o644); err != nil {
		t.Fatal(err)
	}
	npz := filepath.Join(dir, "out.npz")
	var out, errb bytes.Buffer
	if code := Main([]string{"run", src, "--batch", "2", "--threads", "1", "--top", "2", "--save-output", npz}, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if want := "outputs stem_out [2,8,16,16], mid [2,8,16,16], logits [2,5]"; !strings.Contains(errb.String(), want) {
		t.Errorf("stderr %q does not say %q", errb.String(), want)
	}
	if lines := strings.Split(strings.TrimSpace(out.String()), "\n"); len(lines) != 1+2*2 {
		t.Errorf("want a ranking of the logits, 2 images × 2 classes:\n%s", out.String())
	}
	z, err := zip.OpenReader(npz)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range z.File {
		names = append(names, f.Name)
	}
	z.Close()
	if !slices.Equal(names, []string{"stem_out.npy", "mid.npy", "logits.npy"}) {
		t.Errorf("the archive holds %v", names)
	}

	out.Reset()
	errb.Reset()
	npy := filepath.Join(dir, "out.npy")
	if code := Main([]string{"run", src, "--save-output", npy}, &out, &errb); code != exitUsage ||
		!strings.Contains(errb.String(), "3 outputs (stem_out, mid, logits)") || !strings.Contains(errb.String(), "out.npz") {
		t.Errorf("an .npy for three outputs: exit %d, %q", code, errb.String())
	}
	if _, err := os.Stat(npy); err == nil {
		t.Error("the refused .npy was written")
	}

	out.Reset()
	errb.Reset()
	if code := Main([]string{"run", src, "--json", "--threads", "1"}, &out, &errb); code != exitOK {
		t.Fatalf("--json: exit %d: %s", code, errb.String())
	}
	var r struct {
		Output     []int  `json:"output"`
		OutputName string `json:"output_name"`
		Outputs    []struct {
			Name  string `json:"name"`
			Shape []int  `json:"shape"`
		} `json:"outputs"`
	}
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if r.OutputName != "logits" || !slices.Equal(r.Output, []int{1, 5}) || len(r.Outputs) != 3 || r.Outputs[1].Name != "mid" || !slices.Equal(r.Outputs[1].Shape, []int{1, 8, 16, 16}) {
		t.Errorf("--json: %s", out.String())
	}
}

// TestRunNoClassOutput: a network whose outputs are not logits or
// probabilities runs, with no classes ranked.
func TestRunNoClassOutput(t *testing.T) {
	src := filepath.Join(t.TempDir(), "feat.res")
	if err := os.WriteFile(src, []byte("network feat() {\n  input(3, 8, 8)\n  c: conv(4, 3)\n  output a\n  gap\n  output b\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := Main([]string{"run", src, "--threads", "1"}, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "no output is named logits or probabilities") {
		t.Errorf("stdout %q", out.String())
	}
}
