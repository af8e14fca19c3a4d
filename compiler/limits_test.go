package compiler

import (
	"errors"
	"strings"
	"testing"

	"github.com/resc-dev/resc/diag"
)

func TestLimitsSet(t *testing.T) {
	var l Limits
	if err := l.Set("memory=32GiB, params=2e9"); err != nil {
		t.Fatal(err)
	}
	if err := l.Set("elements=5000"); err != nil {
		t.Fatal(err)
	}
	if want := (Limits{Elements: 5000, Params: 2e9, Memory: 32 << 30}); l != want {
		t.Fatalf("got %+v, want %+v", l, want)
	}
	for text, bytes := range map[string]int64{"1": 1, "512MB": 512e6, "1.5KiB": 1536, "2TiB": 2 << 40, "7B": 7} {
		var m Limits
		if err := m.Set("memory=" + text); err != nil || m.Memory != bytes {
			t.Errorf("memory=%s: %d, %v; want %d", text, m.Memory, err, bytes)
		}
	}
	for _, bad := range []string{"memory", "speed=3", "params=0", "params=-5", "params=1.5", "elements=1e30", "memory=12XB", "params=12GiB", "memory=NaN"} {
		var m Limits
		if err := m.Set(bad); err == nil {
			t.Errorf("%s accepted: %+v", bad, m)
		}
	}
}

// TestLimitsCanBeRaised checks that the limits are what stops a large
// network, and that raising them lets it through.
func TestLimitsCanBeRaised(t *testing.T) {
	src := "network big() {\n  input(3, 65536, 65536)\n  relu\n}\n"
	p, err := LoadSource("big.res", src)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Check(); err == nil || !strings.Contains(err.Error(), "48 GiB per image") {
		t.Fatalf("default limits: %v", err)
	}
	if err := p.Limits.Set("elements=2e10,memory=1TiB"); err != nil {
		t.Fatal(err)
	}
	g, err := p.Build("big", nil)
	if err != nil {
		t.Fatalf("raised limits: %v", err)
	}
	// Input and relu are live together: 2 x 48 GiB per image.
	if peak, at := g.PeakActivations(); peak != 2*3*65536*65536*4 || at != g.Outputs[0].Node {
		t.Fatalf("peak %d at %v", peak, at)
	}
	if err := p.CheckBatch(g, 10); err != nil {
		t.Fatalf("batch 10: %v", err)
	}
	err = p.CheckBatch(g, 11)
	if err == nil || !strings.Contains(err.Error(), "a batch of 11 would need 1.03 TiB of activations (96 GiB per image), more than the limit of 1 TiB") {
		t.Fatalf("batch 11: %v", err)
	}
}

// TestStdlibWithinDefaultLimits keeps the defaults honest: every stdlib
// model elaborates under them with room to spare, batches of 64 included.
func TestStdlibWithinDefaultLimits(t *testing.T) {
	models, err := StdlibModels()
	if err != nil {
		t.Fatal(err)
	}
	if testing.Short() {
		models = models[:3]
	}
	for _, m := range models {
		p, err := LoadStdModel(m.Name)
		if err != nil {
			t.Fatal(err)
		}
		g, err := p.Build(m.Name, nil)
		if err != nil {
			t.Fatalf("%s: %v", m.Name, err)
		}
		if err := p.CheckBatch(g, 64); err != nil {
			t.Errorf("%s: %v", m.Name, err)
		}
	}
}

// TestRunawayErrors checks that a loop failing on every iteration records
// each distinct error once and stops after maxReported of them.
func TestRunawayErrors(t *testing.T) {
	for _, c := range []struct{ body, want string }{
		{`assert false, "same"`, "same"},
		{`assert false, "e{i}"`, "more than 1000 errors: elaboration of n stopped"},
	} {
		src := "network n() {\n  input(3, 8, 8)\n  for i in 0..100000 {\n    " + c.body + "\n  }\n}\n"
		p, err := LoadSource("runaway.res", src)
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.Build("n", nil)
		var list diag.List
		if !errors.As(err, &list) {
			t.Fatalf("%s: got %v", c.body, err)
		}
		found := false
		for _, e := range list {
			found = found || e.Msg == c.want
		}
		if !found || len(list) > diag.MaxErrors {
			t.Errorf("%s: %d errors, want one saying %q", c.body, len(list), c.want)
		}
	}
}
