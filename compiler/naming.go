package compiler

import (
	"strings"

	"github.com/resc-dev/resc/ir"
)

// A namingStyle composes reference parameter names from the label path of
// a layer, the way one family of reference implementations does:
// torchvision/timm state_dict keys ("layer1.0.conv1.weight") or Keras
// layer/variable names ("conv2_block1_1_conv/kernel"). A network picks one
// with `naming torch` or `naming keras`.
type namingStyle struct {
	name      string
	sep       string // between label segments
	paramSep  string // between the layer name and the variable name
	roles     map[ir.Op]map[ir.Role]string
	shortcuts map[string]string // default names of shortcut parts: "conv", "bn", "pool"
	// avgShortcut names the parts of avg_projection, whose pool shifts
	// torchvision-style indices by one.
	avgShortcut map[string]string
}

var namingStyles = map[string]*namingStyle{
	"torch": {
		name: "torch", sep: ".", paramSep: ".",
		roles: map[ir.Op]map[ir.Role]string{
			ir.OpConv:        {ir.RoleWeight: "weight", ir.RoleBias: "bias"},
			ir.OpChannelConv: {ir.RoleWeight: "weight"},
			ir.OpGemm:        {ir.RoleWeight: "weight", ir.RoleBias: "bias"},
			ir.OpBatchNorm:   {ir.RoleGamma: "weight", ir.RoleBeta: "bias", ir.RoleMean: "running_mean", ir.RoleVar: "running_var"},
			ir.OpLayerNorm:   {ir.RoleGamma: "weight", ir.RoleBeta: "bias"},
			ir.OpGroupNorm:   {ir.RoleGamma: "weight", ir.RoleBeta: "bias"},
		},
		shortcuts:   map[string]string{"conv": "0", "bn": "1"},
		avgShortcut: map[string]string{"pool": "0", "conv": "1", "bn": "2"},
	},
	"keras": {
		name: "keras", sep: "_", paramSep: "/",
		roles: map[ir.Op]map[ir.Role]string{
			ir.OpConv:        {ir.RoleWeight: "kernel", ir.RoleBias: "bias"},
			ir.OpChannelConv: {ir.RoleWeight: "kernel"},
			ir.OpGemm:        {ir.RoleWeight: "kernel", ir.RoleBias: "bias"},
			ir.OpBatchNorm:   {ir.RoleGamma: "gamma", ir.RoleBeta: "beta", ir.RoleMean: "moving_mean", ir.RoleVar: "moving_variance"},
			ir.OpLayerNorm:   {ir.RoleGamma: "gamma", ir.RoleBeta: "beta"},
			ir.OpGroupNorm:   {ir.RoleGamma: "gamma", ir.RoleBeta: "beta"},
		},
		shortcuts:   map[string]string{"conv": "conv", "bn": "bn"},
		avgShortcut: map[string]string{"pool": "pool", "conv": "conv", "bn": "bn"},
	},
}

func (s *namingStyle) join(scope []string, leaf string) string {
	parts := make([]string, 0, len(scope)+1)
	for _, p := range scope {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if leaf != "" {
		parts = append(parts, leaf)
	}
	return strings.Join(parts, s.sep)
}

func (s *namingStyle) param(layer string, op ir.Op, role ir.Role) string {
	return layer + s.paramSep + s.roles[op][role]
}

// NameSeparator is the separator between label segments in the node and
// layer names of a graph with the given naming ("torch" or "keras"), "."
// for an unknown one.
func NameSeparator(naming string) string {
	if s, ok := namingStyles[naming]; ok {
		return s.sep
	}
	return "."
}
