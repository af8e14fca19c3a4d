package compiler

import (
	"strings"
	"testing"

	"github.com/resc-dev/resc/ir"
)

// TestZeroInitLast checks the families' zero_init_last as timm sets it:
// Res2Net and ResNeSt zero the gamma of every block's bn3, the SK networks
// (zero_init_last=False) none, unless asked to (then conv2.bn, conv3.bn).
func TestZeroInitLast(t *testing.T) {
	for _, c := range []struct {
		model string
		set   map[string]string
		want  int // zero-initialised gammas
		name  string
	}{
		{"res2net50_26w_4s", nil, 16, "bn3"},
		{"res2next50", nil, 16, "bn3"},
		{"resnest14d", nil, 4, "bn3"},
		{"resnest50d_1s4x24d", nil, 16, "bn3"},
		{"skresnet18", nil, 0, ""},
		{"skresnext50_32x4d", nil, 0, ""},
		{"skresnet18", map[string]string{"zero_init_last": "true"}, 8, "conv2.bn"},
		{"skresnext50_32x4d", map[string]string{"zero_init_last": "true"}, 16, "conv3.bn"},
	} {
		p, err := LoadStdModel(c.model)
		if err != nil {
			t.Fatal(err)
		}
		g, err := p.Build(c.model, c.set)
		if err != nil {
			t.Fatal(err)
		}
		zero := 0
		for _, q := range g.SourceParams() {
			if q.Role == ir.RoleGamma && q.Init == ir.InitZeros {
				zero++
				if !strings.HasSuffix(q.Name, "."+c.name+".weight") {
					t.Errorf("%s %v: %s starts at zero; only %s should", c.model, c.set, q.Name, c.name)
				}
			}
		}
		if zero != c.want {
			t.Errorf("%s %v: %d zero-initialised gammas, want %d", c.model, c.set, zero, c.want)
		}
	}
}
