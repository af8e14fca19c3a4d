package pytorch_test

import (
	"encoding/binary"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/resc-dev/resc/internal/testenv"
	"github.com/resc-dev/resc/weights/pytorch"
	"github.com/resc-dev/resc/weights/safetensors"
)

// checkSmall compares a checkpoint of the small state_dict, in whatever
// wrapping or dtype, with the values numpy saved under prefix.
func checkSmall(t *testing.T, file, prefix string, dtype safetensors.DType) {
	t.Helper()
	f, err := pytorch.ReadFile(fixture(t, file))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, x := range f.Tensors {
		names = append(names, x.Name)
	}
	want := []string{"bn.num_batches_tracked", "bn.running_var", "conv.bias", "conv.weight"}
	if !slices.Equal(names, want) {
		t.Fatalf("names %v, want %v", names, want)
	}
	for _, x := range f.Tensors {
		if x.Name == "bn.num_batches_tracked" {
			if x.DType != safetensors.I64 || len(x.Shape) != 0 || len(x.Raw) != 8 || binary.LittleEndian.Uint64(x.Raw) != 7 {
				t.Errorf("num_batches_tracked: %s %v %v, want I64 scalar 7", x.DType, x.Shape, x.Raw)
			}
			continue
		}
		if x.DType != dtype {
			t.Errorf("%s: dtype %s, want %s", x.Name, x.DType, dtype)
		}
		v, shape := testenv.ReadNpy(t, fixture(t, prefix+"."+x.Name+".npy"))
		if !slices.Equal(x.Shape, shape) || !slices.Equal(x.Data, v) {
			t.Errorf("%s: %v %v, want %v %v", x.Name, x.Shape, x.Data, shape, v)
		}
	}
}

// TestStateDictLayouts: a bare state_dict, one under "state_dict" beside an
// optimizer's state and plain values, one with DataParallel's "module."
// prefix, under "model" with the prefix, in float16 and bfloat16 — all
// read as the same named tensors with torch's values.
func TestStateDictLayouts(t *testing.T) {
	for _, c := range []struct{ file, prefix string }{
		{"small.pth", "small"},
		{"small_wrapped_state_dict.pth", "small"},
		{"small_module.pth", "small"},
		{"small_wrapped_model.pth", "small"},
	} {
		t.Run(c.file, func(t *testing.T) { checkSmall(t, c.file, c.prefix, safetensors.F32) })
	}
	t.Run("fp16", func(t *testing.T) { checkSmall(t, "small_fp16.pth", "small_fp16", safetensors.F16) })
	t.Run("bf16", func(t *testing.T) { checkSmall(t, "small_bf16.pth", "small_bf16", safetensors.BF16) })
}

// TestViews: tensors that share one storage, start at an offset, run
// with non-contiguous or zero strides, read as torch's .contiguous().
func TestViews(t *testing.T) {
	f, err := pytorch.ReadFile(fixture(t, "views.pth"))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Tensors) != 7 {
		t.Fatalf("%d tensors, want 7", len(f.Tensors))
	}
	for _, x := range f.Tensors {
		v, shape := testenv.ReadNpy(t, fixture(t, "views."+x.Name+".npy"))
		if !slices.Equal(x.Shape, shape) || !slices.Equal(x.Data, v) {
			t.Errorf("%s: %v %v, want %v %v", x.Name, x.Shape, x.Data, shape, v)
		}
	}
}

// TestRefused: a pickle that would run a shell command is refused by the
// name of the function, and nothing runs; a whole pickled model is
// refused with the advice to save its state_dict.
func TestRefused(t *testing.T) {
	_, err := pytorch.ReadFile(fixture(t, "evil.pth"))
	var re *pytorch.RefusedError
	if !errors.As(err, &re) || (re.Global != "posix.system" && re.Global != "os.system") {
		t.Fatalf("evil.pth: %v, want a refusal of os.system", err)
	}
	if !strings.Contains(err.Error(), "evil.pth: refused to load "+re.Global) {
		t.Errorf("message: %v", err)
	}
	if _, err := os.Stat(fixture(t, "pwned")); err == nil {
		t.Fatal("the command ran")
	}
	_, err = pytorch.ReadFile(fixture(t, "whole_model.pth"))
	if !errors.As(err, &re) || re.Global != "torch.nn.modules.container.Sequential" || !strings.Contains(err.Error(), "model.state_dict()") {
		t.Fatalf("whole_model.pth: %v", err)
	}
}

// TestLegacy: a checkpoint in the pre-1.6 format, and a bare pickle, get
// errors that say what they are and what to do.
func TestLegacy(t *testing.T) {
	_, err := pytorch.ReadFile(fixture(t, "small_legacy.pth"))
	var le *pytorch.LegacyError
	if !errors.As(err, &le) || !strings.Contains(err.Error(), "before 1.6") || !strings.Contains(err.Error(), "torch.save(torch.load(") {
		t.Fatalf("legacy: %v", err)
	}
	_, err = pytorch.ReadFile(fixture(t, "plain.pkl"))
	if err == nil || errors.As(err, &le) || !strings.Contains(err.Error(), "a bare Python pickle") {
		t.Fatalf("plain pickle: %v", err)
	}
}
