package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/resc-dev/resc"
	"github.com/resc-dev/resc/backend/onnx"
	"github.com/resc-dev/resc/internal/testenv"
	"github.com/resc-dev/resc/weights/safetensors"
)

// runIn runs resc with stdin as its standard input.
func runIn(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	c := &ctx{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb}
	code = mainCtx(c, args)
	return code, out.String(), errb.String()
}

// decodeJSON decodes a command's --json output strictly: one value, no
// trailing text.
func decodeJSON(t *testing.T, s string, v any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("decoding %q: %v", s, err)
	}
	if dec.More() {
		t.Fatalf("more than one JSON value in %q", s)
	}
}

func TestJSONOutputs(t *testing.T) {
	t.Run("list", func(t *testing.T) {
		code, out, errs := runIn(t, "", "list", "--json")
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errs)
		}
		var models []struct {
			Model, Module  string
			Params, MACs   int64
			Input          []int
			Top1, Top5     float64
			Weights        string
			AccuracySize   int    `json:"accuracy_size"`
			AccuracySource string `json:"accuracy_source"`
		}
		decodeJSON(t, out, &models)
		_, table, _ := runIn(t, "", "list")
		if rows := strings.Count(table, "\n") - 1; len(models) != rows || rows < 50 {
			t.Errorf("--json lists %d models, the table %d", len(models), rows)
		}
		for _, m := range models {
			if m.Model == "resnet50" && (m.Top1 != 80.858 || m.Weights != "ResNet50_Weights.IMAGENET1K_V2" || m.AccuracySize != 224 || !strings.HasPrefix(m.AccuracySource, "https://")) {
				t.Errorf("resnet50's accuracy: %+v", m)
			}
			if strings.HasPrefix(m.Model, "cifar_") && m.Top1 != 0 {
				t.Errorf("%s has an ImageNet accuracy: %+v", m.Model, m)
			}
			if m.Model == "resnet50" && (m.Params != 25557032 || len(m.Input) != 3) {
				t.Errorf("resnet50: %+v", m)
			}
		}
	})
	t.Run("check", func(t *testing.T) {
		type frame struct {
			What, File   string
			Line, Column int
		}
		var got struct {
			Valid       bool
			Diagnostics []struct {
				File         string
				Line, Column int
				Message      string
				Chain        []frame
			}
		}
		src := "block b() {\n  conv(4, 3, stride: 0)\n}\nnetwork n() {\n  input(3, 8, 8)\n  x: b()\n}\n"
		code, out, _ := runIn(t, src, "check", "--json", "-")
		if code != exitUser {
			t.Errorf("exit %d for an invalid model", code)
		}
		decodeJSON(t, out, &got)
		if got.Valid || len(got.Diagnostics) != 1 {
			t.Fatalf("%+v", got)
		}
		d := got.Diagnostics[0]
		if d.File != stdinName || d.Line != 2 || d.Message == "" || len(d.Chain) == 0 || d.Chain[0].Line != 6 {
			t.Errorf("diagnostic %+v", d)
		}
		code, out, _ = runIn(t, "", "check", "--json", "cifar_resnet20")
		decodeJSON(t, out, &got)
		if code != exitOK || !got.Valid || got.Diagnostics == nil || len(got.Diagnostics) != 0 {
			t.Errorf("a valid model: exit %d, %s", code, out)
		}
	})
	t.Run("ir", func(t *testing.T) {
		code, out, errs := runIn(t, "", "ir", "--json", "cifar_resnet20")
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errs)
		}
		var g struct {
			Name, Naming string
			Nodes        []struct {
				ID     int
				Name   string
				Op     string
				Inputs []int
				Attrs  map[string]string
				Shape  []*int
				Params []struct {
					Name, Init, Derived string
					Shape               []int
					Trainable           bool
				}
			}
			Outputs []struct {
				Name string
				Node int
			}
		}
		dec := json.NewDecoder(strings.NewReader(out))
		if err := dec.Decode(&g); err != nil {
			t.Fatal(err)
		}
		_, text, _ := runIn(t, "", "ir", "cifar_resnet20")
		if n := strings.Count(text, "\n%"); len(g.Nodes) != n {
			t.Errorf("%d nodes in JSON, %d in the text dump", len(g.Nodes), n)
		}
		last := g.Nodes[len(g.Nodes)-1]
		if len(g.Outputs) != 1 || g.Outputs[0].Node != last.ID || g.Outputs[0].Name != "logits" || last.Shape[0] != nil || *last.Shape[1] != 10 || g.Nodes[1].Op != "Conv" || g.Nodes[1].Attrs["kernel"] != "3x3" {
			t.Errorf("graph %s: outputs %v, last node %+v, node 1 %+v", g.Name, g.Outputs, last, g.Nodes[1])
		}
		if !strings.Contains(text, "%1 "+g.Nodes[1].Name+" = Conv(%0)") {
			t.Errorf("node 1 %q is not the text dump's", g.Nodes[1].Name)
		}
	})
	t.Run("run", func(t *testing.T) {
		code, out, errs := runIn(t, "", "run", "cifar_resnet20", "--json", "--top", "3", "--batch", "2")
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errs)
		}
		var r struct {
			Model   string
			Results []struct {
				Input string
				Top   []struct {
					Rank, Class int
					Label       string
					Probability float32
				}
			}
		}
		json.NewDecoder(strings.NewReader(out)).Decode(&r)
		if len(r.Results) != 2 || len(r.Results[1].Top) != 3 || r.Results[1].Top[0].Rank != 1 || r.Results[1].Top[0].Probability < r.Results[1].Top[2].Probability {
			t.Errorf("%s", out)
		}
	})
	t.Run("bench", func(t *testing.T) {
		code, out, errs := runIn(t, "", "bench", "cifar_resnet20", "--json", "--backend", "native", "--runs", "1", "--warmup", "0", "--threads", "1")
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errs)
		}
		var b struct {
			Model               string
			Batch, Runs, Warmup int
			MACs                int64
			Results             []struct {
				Backend                             string
				MedianMS, MinMS, ImagesPerS, GFLOPs float64
				VsORT                               *float64 `json:"vs_onnxruntime"`
			}
		}
		json.NewDecoder(strings.NewReader(out)).Decode(&b)
		if b.Model != "cifar_resnet20" || len(b.Results) != 1 || b.Results[0].VsORT != nil || b.MACs != 40551040 {
			t.Errorf("%s", out)
		}
		if strings.Contains(errs, "\r") {
			t.Errorf("progress written to a stderr that is not a terminal: %q", errs)
		}
	})
}

// -o - writes to standard output, the same bytes as a file.
func TestOutputDash(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "m.onnx")
	if code, _, errs := runIn(t, "", "build", "cifar_resnet20", "-o", file); code != exitOK {
		t.Fatal(errs)
	}
	code, out, errs := runIn(t, "", "build", "cifar_resnet20", "-o", "-")
	if code != exitOK || !strings.Contains(errs, "wrote the standard output") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	want, _ := os.ReadFile(file)
	if out != string(want) {
		t.Errorf("build -o - wrote %d bytes, -o FILE %d", len(out), len(want))
	}
	if _, err := onnx.Read([]byte(out)); err != nil {
		t.Error(err)
	}
	if _, err := os.Stat("-"); err == nil {
		t.Error("a file named - was created")
	}
	code, out, errs = runIn(t, "", "weights", "cifar_resnet20", "-o", "-")
	if code != exitOK {
		t.Fatal(errs)
	}
	f, err := safetensors.Read([]byte(out))
	if err != nil || f.Tensor("conv1.weight") == nil {
		t.Errorf("weights -o -: %v", err)
	}
}

// check - and fmt - read the standard input.
func TestStdinSources(t *testing.T) {
	src := "network n() {\n    input(3, 8, 8)\n  conv(4,3)\n}\n"
	code, out, errs := runIn(t, src, "fmt", "-")
	if code != exitOK || out != "network n() {\n  input(3, 8, 8)\n  conv(4, 3)\n}\n" {
		t.Errorf("fmt -: exit %d, %q %s", code, out, errs)
	}
	if code, out, _ := runIn(t, src, "fmt", "-l", "-"); code != exitUser || out != stdinName+"\n" {
		t.Errorf("fmt -l -: exit %d, %q", code, out)
	}
	if code, _, errs := runIn(t, src, "fmt", "-w", "-"); code != exitUsage {
		t.Errorf("fmt -w -: exit %d, %s", code, errs)
	}
	if code, _, errs := runIn(t, src, "check", "-"); code != exitOK {
		t.Errorf("check - of a valid source: exit %d, %s", code, errs)
	}
	code, _, errs = runIn(t, strings.Replace(src, "conv(4,3)", "cnov(4, 3)", 1), "check", "-")
	if code != exitUser || !strings.Contains(errs, stdinName+":3:3: undefined: cnov") {
		t.Errorf("check - of an invalid source: exit %d, %s", code, errs)
	}
	if code, _, errs := runIn(t, src, "check", "--set", "x=1", "-"); code != exitUsage {
		t.Errorf("check --set with an unknown parameter: exit %d, %s", code, errs)
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, out, _ := runIn(t, "", args...)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if code != exitOK || lines[0] != "resc "+Version || len(lines) != 2 || !strings.Contains(lines[1], "github.com/resc-dev/resc") {
			t.Errorf("%v: exit %d, %q", args, code, out)
		}
	}
	info := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/resc-dev/resc", Version: "v1.2.3"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.time", Value: "2026-11-29T12:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	want := "github.com/resc-dev/resc v1.2.3, revision abc123 (2026-11-29T12:00:00Z), modified, go1.26.8"
	if got := buildLine(info); got != want {
		t.Errorf("buildLine:\n got %s\nwant %s", got, want)
	}
	if _, help, _ := runIn(t, "", "help"); !strings.Contains(help, "  version ") {
		t.Errorf("help does not list version:\n%s", help)
	}
}

// Every help text spells a flag one way: --name for words, -o and -O2 for
// one letter and the levels.
func TestFlagSpelling(t *testing.T) {
	single := regexp.MustCompile(`(^|[\s\[(|'"=,])-[a-zA-Z][a-zA-Z-]+`)
	double := regexp.MustCompile(`--([a-zA-Z0-9][a-zA-Z0-9-]*)`)
	check := func(where, text string) {
		for _, m := range single.FindAllString(text, -1) {
			m = strings.TrimLeft(m, " \t\n[(|'\"=,")
			if !regexp.MustCompile(`^-O\d$`).MatchString(m) {
				t.Errorf("%s spells %s with one dash", where, m)
			}
		}
		for _, m := range double.FindAllStringSubmatch(text, -1) {
			if len(m[1]) == 1 || regexp.MustCompile(`^O\d$`).MatchString(m[1]) {
				t.Errorf("%s spells -%s with two dashes", where, m[1])
			}
		}
	}
	var top bytes.Buffer
	topUsage(&top)
	check("resc help", top.String())
	for _, c := range commands {
		var b bytes.Buffer
		cmdUsage(&b, c)
		check("resc help "+c.name, b.String())
	}
}

// The bash completion script completes commands and a command's flags.
func TestBashCompletion(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		testenv.Missing(t, "bash: %v", err)
	}
	code, script, _ := runIn(t, "", "completion", "bash")
	if code != exitOK {
		t.Fatal(code)
	}
	complete := func(words ...string) string {
		t.Helper()
		prog := script + fmt.Sprintf("\nCOMP_WORDS=(%s); COMP_CWORD=%d; _resc; echo \"${COMPREPLY[@]}\"\n", strings.Join(words, " "), len(words)-1)
		out, err := exec.Command(bash, "-c", prog).CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		return strings.TrimSpace(string(out))
	}
	if got := complete("resc", "bu"); got != "build" {
		t.Errorf("resc bu<TAB>: %q", got)
	}
	if got := complete("resc", "build", "--op"); got != "--opset" {
		t.Errorf("resc build --op<TAB>: %q", got)
	}
	if got := complete("resc", "fmt", "-"); got != "-l -w" {
		t.Errorf("resc fmt -<TAB>: %q", got)
	}
	for _, shell := range []string{"zsh", "fish"} {
		if code, out, _ := runIn(t, "", "completion", shell); code != exitOK || !strings.Contains(out, "summary") {
			t.Errorf("completion %s: exit %d", shell, code)
		}
	}
	if code, _, _ := runIn(t, "", "completion", "tcsh"); code != exitUsage {
		t.Errorf("completion tcsh: exit %d", code)
	}
}

// The README's model count is resc list's.
func TestREADMEModelCount(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(\d+) models from torchvision`).FindSubmatch(readme)
	if m == nil {
		t.Fatal("the README no longer gives the model count")
	}
	models, err := resc.StdlibModels()
	if err != nil {
		t.Fatal(err)
	}
	if string(m[1]) != fmt.Sprint(len(models)) {
		t.Errorf("the README says %s models; resc list has %d", m[1], len(models))
	}
}

// The README's concrete commands (those without placeholders) succeed, and
// its language tour's source checks.
func TestREADMEExamples(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	placeholder := regexp.MustCompile(`[A-Z]{2,}|\\\||\[|\.jpg| -$`)
	ran := 0
	for _, m := range regexp.MustCompile("`resc ([^`]+)`").FindAllStringSubmatch(string(readme), -1) {
		args := strings.Fields(m[1])
		if placeholder.MatchString(m[1]) || len(args) < 2 && args[0] != "list" && args[0] != "version" {
			continue
		}
		ran++
		if code, _, errs := runIn(t, "", args...); code != exitOK {
			t.Errorf("resc %s: exit %d: %s", m[1], code, errs)
		}
	}
	if ran < 5 {
		t.Errorf("only %d README commands ran", ran)
	}
	tour := regexp.MustCompile("(?s)## A tour of the language.*?```\n(.*?)```").FindSubmatch(readme)
	if tour == nil {
		t.Fatal("no source in the README's tour")
	}
	if code, _, errs := runIn(t, string(tour[1]), "check", "-"); code != exitOK {
		t.Errorf("the tour's source: exit %d: %s", code, errs)
	}
}
