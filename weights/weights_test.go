package weights

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/resc-dev/resc/compiler"
	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/weights/safetensors"
)

func build(t testing.TB, name string) *ir.Graph {
	t.Helper()
	p, err := compiler.LoadStdModel(name)
	if err != nil {
		t.Fatal(err)
	}
	g, err := p.Build(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func moments(v []float32) (mean, std, within1, kurt float64) {
	n := float64(len(v))
	for _, x := range v {
		mean += float64(x)
	}
	mean /= n
	var m2, m4 float64
	for _, x := range v {
		d := float64(x) - mean
		m2 += d * d
		m4 += d * d * d * d
	}
	m2 /= n
	m4 /= n
	std = math.Sqrt(m2)
	for _, x := range v {
		if math.Abs(float64(x)-mean) < std {
			within1++
		}
	}
	return mean, std, within1 / n, m4 / (m2 * m2)
}

func TestInitStatistics(t *testing.T) {
	cases := []struct {
		p   ir.Param
		std float64
	}{
		{ir.Param{Name: "layer4.0.conv2.weight", Shape: []int{512, 512, 3, 3}, Init: ir.InitKaimingFanOut}, math.Sqrt(2.0 / (512 * 9))},
		{ir.Param{Name: "conv1.weight", Shape: []int{64, 3, 7, 7}, Init: ir.InitKaimingFanOut}, math.Sqrt(2.0 / (64 * 49))},
		{ir.Param{Name: "fc.weight", Shape: []int{1000, 2048}, Init: ir.InitNormal001}, 0.01},
		{ir.Param{Name: "se.conv.weight", Shape: []int{1, 1, 5}, Init: ir.InitKaimingFanOut}, math.Sqrt(2.0 / 5)},
	}
	for _, c := range cases {
		v := InitParam(&c.p, 1)
		if int64(len(v)) != c.p.Size() {
			t.Fatalf("%s: %d values, want %d", c.p.Name, len(v), c.p.Size())
		}
		if len(v) < 10000 {
			continue // too few for statistics
		}
		n := float64(len(v))
		mean, std, within1, kurt := moments(v)
		if math.Abs(mean) > 5*c.std/math.Sqrt(n) {
			t.Errorf("%s: mean %g, want 0 ± %g", c.p.Name, mean, 5*c.std/math.Sqrt(n))
		}
		if math.Abs(std/c.std-1) > 5*math.Sqrt(0.5/n) {
			t.Errorf("%s: std %g, want %g", c.p.Name, std, c.std)
		}
		if math.Abs(within1-0.682689) > 0.005 {
			t.Errorf("%s: %.4f within one std, want 0.6827 for a normal", c.p.Name, within1)
		}
		if math.Abs(kurt-3) > 0.05 {
			t.Errorf("%s: kurtosis %.3f, want 3 for a normal", c.p.Name, kurt)
		}
	}
}

func TestInitGraph(t *testing.T) {
	models := []string{"resnet18", "ecaresnet50d", "cm_seresnet18"}
	if testing.Short() {
		models = models[1:2] // the one with zero-initialised gammas
	}
	for _, name := range models {
		g := build(t, name)
		s := Init(g, 7)
		if err := Check(g, s); err != nil {
			t.Fatal(err)
		}
		zeroGamma := 0
		for _, n := range g.Nodes {
			for _, p := range n.Params {
				v := s[p.Name]
				switch p.Init {
				case ir.InitZeros, ir.InitOnes:
					want := float32(0)
					if p.Init == ir.InitOnes {
						want = 1
					}
					for _, x := range v {
						if x != want {
							t.Fatalf("%s %s: value %v, want %v", name, p.Name, x, want)
						}
					}
					if p.Role == ir.RoleGamma && p.Init == ir.InitZeros {
						zeroGamma++
					}
				default:
					nonzero := 0
					for _, x := range v {
						if x != 0 {
							nonzero++
						}
					}
					if nonzero < len(v)*9/10 {
						t.Fatalf("%s %s: only %d of %d values nonzero", name, p.Name, nonzero, len(v))
					}
				}
				switch p.Role {
				case ir.RoleMean, ir.RoleBeta, ir.RoleBias:
					if p.Init != ir.InitZeros {
						t.Errorf("%s %s: init %v", name, p.Name, p.Init)
					}
				case ir.RoleVar:
					if p.Init != ir.InitOnes {
						t.Errorf("%s %s: init %v", name, p.Name, p.Init)
					}
				}
			}
		}
		// timm's ResNets zero the last BN of each block (zero_init_last).
		if name == "ecaresnet50d" && zeroGamma != 16 {
			t.Errorf("%s: %d zero-initialised gammas, want 16", name, zeroGamma)
		}
	}
}

func TestInitDeterministic(t *testing.T) {
	g := build(t, "resnet18")
	a, b := Init(g, 42), Init(g, 42)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("Init is not deterministic")
	}
	c := Init(g, 43)
	if slices.Equal(a["conv1.weight"], c["conv1.weight"]) {
		t.Error("seeds 42 and 43 give the same conv1.weight")
	}
	if slices.Equal(a["layer1.0.conv1.weight"], a["layer1.0.conv2.weight"]) {
		t.Error("two parameters of one shape draw the same values")
	}
	// A parameter's values depend only on (seed, name): alone, or in a
	// graph with other parameters, they are the same.
	for _, n := range g.Nodes {
		for _, p := range n.Params {
			if !slices.Equal(InitParam(p, 42), a[p.Name]) {
				t.Fatalf("%s differs when drawn alone", p.Name)
			}
		}
	}

	// Pinned values: a change in the generator would silently change every
	// model's initial weights, on every platform alike.
	p := &ir.Param{Name: "conv1.weight", Shape: []int{64, 3, 7, 7}, Init: ir.InitKaimingFanOut}
	got := InitParam(p, 0)[:6]
	var bits []uint32
	for _, x := range got {
		bits = append(bits, math.Float32bits(x))
	}
	want := pinned
	if !slices.Equal(bits, want) {
		t.Errorf("conv1.weight seed 0 starts %v (bits %#x), want bits %#x", got, bits, want)
	}
}

// pinned are the first float32 bits of InitParam(conv1.weight [64,3,7,7]
// kaiming, seed 0).
var pinned = []uint32{0x3d6f2d31, 0x3cb18a28, 0x3ced4a2e, 0x3d21da12, 0xbc9bcf86, 0x3cdd180d}

func TestDetMath(t *testing.T) {
	r := newStream(1, "x")
	for i := 0; i < 200000; i++ {
		u := r.uniform()
		if i < 64 {
			u = math.Ldexp(1, -i-1) // down to tiny values
		}
		if u == 0 {
			continue
		}
		got, want := detLog(u), math.Log(u)
		if math.Abs(got-want) > 1e-15*math.Max(1, math.Abs(want)) {
			t.Fatalf("detLog(%v) = %v, math.Log gives %v", u, got, want)
		}
	}
	if detLog(1) != 0 {
		t.Errorf("detLog(1) = %v", detLog(1))
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	for _, name := range []string{"resnet18", "cm_seresnet18"} {
		g := build(t, name)
		w := Init(g, 3)
		path := filepath.Join(t.TempDir(), name+".safetensors")
		if err := Save(g, w, path); err != nil {
			t.Fatal(err)
		}
		got, err := loadBoth(t, g, path)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, w) {
			t.Fatalf("%s: Save then Load changed the weights", name)
		}
		f, err := safetensors.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		wantMeta := map[string]string{"resc_model": name, "resc_layout": "torch"}
		if g.Naming == "torch" {
			wantMeta["format"] = "pt"
		}
		if !reflect.DeepEqual(f.Metadata, wantMeta) {
			t.Errorf("%s: metadata %v, want %v", name, f.Metadata, wantMeta)
		}
		// The kernels are in torch layout even for Keras names.
		if g.Naming == "keras" {
			if s := f.Tensor("fc1/kernel").Shape; !slices.Equal(s, []int{1000, 512}) {
				t.Errorf("fc1/kernel saved as %v", s)
			}
		}
		// Saving is deterministic.
		path2 := path + "2"
		if err := Save(g, got, path2); err != nil {
			t.Fatal(err)
		}
		a, _ := os.ReadFile(path)
		b, _ := os.ReadFile(path2)
		if !slices.Equal(a, b) {
			t.Errorf("%s: saving twice gives different files", name)
		}
	}
}

func TestSaveErrors(t *testing.T) {
	g := build(t, "resnet18")
	w := Init(g, 1)
	delete(w, "fc.bias")
	w["bn1.weight"] = w["bn1.weight"][:10]
	w["extra"] = []float32{1}
	path := filepath.Join(t.TempDir(), "x.safetensors")
	err := Save(g, w, path)
	var me *MismatchError
	if !errors.As(err, &me) {
		t.Fatalf("error %v, want a *MismatchError", err)
	}
	if !slices.Equal(me.Missing, []string{"fc.bias"}) || !slices.Equal(me.Unexpected, []string{"extra"}) || len(me.Problems) != 1 ||
		me.Problems[0] != `"bn1.weight": shape [64] has 64 elements, the set holds 10` {
		t.Errorf("got %+v", me)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Error("a failed Save left a file")
	}
}

// entry is one tensor of a hand-made file.
type entry struct {
	name  string
	dtype string
	shape []int
	data  []byte
}

// handMade lays out a file as the reference implementation does: the
// metadata first, then the tensors in the given order, fields in the
// order dtype, shape, data_offsets, the header padded with spaces.
func handMade(t testing.TB, meta string, entries []entry) string {
	var hdr strings.Builder
	hdr.WriteString("{")
	if meta != "" {
		hdr.WriteString(`"__metadata__":` + meta)
	}
	var data []byte
	for i, e := range entries {
		if i > 0 || meta != "" {
			hdr.WriteString(",")
		}
		dims := make([]string, len(e.shape))
		for j, d := range e.shape {
			dims[j] = fmt.Sprint(d)
		}
		name, _ := json.Marshal(e.name)
		fmt.Fprintf(&hdr, `%s:{"dtype":%q,"shape":[%s],"data_offsets":[%d,%d]}`,
			name, e.dtype, strings.Join(dims, ","), len(data), len(data)+len(e.data))
		data = append(data, e.data...)
	}
	hdr.WriteString("}")
	h := hdr.String()
	for len(h)%8 != 0 {
		h += " "
	}
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(h)))
	out = append(out, h...)
	out = append(out, data...)
	path := filepath.Join(t.TempDir(), "hand.safetensors")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func f32(vs []float32) []byte {
	b := make([]byte, 0, 4*len(vs))
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	return b
}

// pattern gives a tensor's values: distinct per tensor and position.
func pattern(k, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(k) + float32(i%1000)/1024
	}
	return v
}

// torchvisionResnet18 lists the state_dict of torchvision's resnet18, in
// its order, written out from torchvision's code rather than from the IR.
func torchvisionResnet18() []entry {
	var es []entry
	k := 0
	add := func(name string, shape ...int) {
		n := 1
		for _, d := range shape {
			n *= d
		}
		k++
		es = append(es, entry{name, "F32", shape, f32(pattern(k, n))})
	}
	bn := func(p string, c int) {
		add(p+".weight", c)
		add(p+".bias", c)
		add(p+".running_mean", c)
		add(p+".running_var", c)
		es = append(es, entry{p + ".num_batches_tracked", "I64", []int{}, binary.LittleEndian.AppendUint64(nil, 1234)})
	}
	add("conv1.weight", 64, 3, 7, 7)
	bn("bn1", 64)
	in := 64
	for li, planes := range []int{64, 128, 256, 512} {
		for b := 0; b < 2; b++ {
			stride := 1
			if li > 0 && b == 0 {
				stride = 2
			}
			p := fmt.Sprintf("layer%d.%d.", li+1, b)
			add(p+"conv1.weight", planes, in, 3, 3)
			bn(p+"bn1", planes)
			add(p+"conv2.weight", planes, planes, 3, 3)
			bn(p+"bn2", planes)
			if stride != 1 || in != planes {
				add(p+"downsample.0.weight", planes, in, 1, 1)
				bn(p+"downsample.1", planes)
			}
			in = planes
		}
	}
	add("fc.weight", 1000, 512)
	add("fc.bias", 1000)
	return es
}

func TestLoadTorchvisionResnet18(t *testing.T) {
	g := build(t, "resnet18")
	es := torchvisionResnet18()
	if len(es) != 122 {
		t.Fatalf("%d state_dict entries, torchvision has 122", len(es))
	}
	path := handMade(t, `{"format":"pt"}`, es)
	w, err := loadBoth(t, g, path)
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, e := range es {
		if e.dtype != "F32" {
			continue
		}
		v, ok := w[e.name]
		if !ok {
			t.Fatalf("%s not loaded", e.name)
		}
		if !slices.Equal(f32(v), e.data) {
			t.Fatalf("%s: values differ", e.name)
		}
		total += int64(len(v))
	}
	if len(w) != 102 || total != g.Stats().Total {
		t.Errorf("loaded %d tensors, %d values; want 102, %d", len(w), total, g.Stats().Total)
	}
}

func mustMismatch(t *testing.T, err error) *MismatchError {
	t.Helper()
	var me *MismatchError
	if !errors.As(err, &me) {
		t.Fatalf("error %v, want a *MismatchError", err)
	}
	return me
}

func TestLoadErrors(t *testing.T) {
	g := build(t, "resnet18")
	base := torchvisionResnet18()
	edit := func(f func([]entry) []entry) string {
		return handMade(t, `{"format":"pt"}`, f(slices.Clone(base)))
	}
	find := func(es []entry, name string) int {
		return slices.IndexFunc(es, func(e entry) bool { return e.name == name })
	}

	t.Run("missing", func(t *testing.T) {
		path := edit(func(es []entry) []entry {
			es = slices.Delete(es, find(es, "fc.bias"), find(es, "fc.bias")+1)
			return slices.Delete(es, find(es, "layer2.0.bn1.running_var"), find(es, "layer2.0.bn1.running_var")+1)
		})
		_, err := loadBoth(t, g, path)
		me := mustMismatch(t, err)
		if !slices.Equal(me.Missing, []string{"layer2.0.bn1.running_var", "fc.bias"}) || len(me.Unexpected)+len(me.Problems) != 0 {
			t.Errorf("got %+v", me)
		}
		msg := err.Error()
		for _, s := range []string{path + " for resnet18: the weights do not fit: 2 missing keys", "\n  missing key \"layer2.0.bn1.running_var\"\n  missing key \"fc.bias\""} {
			if !strings.Contains(msg, s) {
				t.Errorf("message %q lacks %q", msg, s)
			}
		}
	})
	t.Run("unexpected", func(t *testing.T) {
		path := edit(func(es []entry) []entry {
			return append(es,
				entry{"fc2.weight", "F32", []int{2}, f32([]float32{1, 2})},
				entry{"step", "I64", []int{}, make([]byte, 8)},                    // integer buffer: ignored
				entry{"x.num_batches_tracked", "F32", []int{}, f32([]float32{1})}, // ignored whatever its dtype
			)
		})
		_, err := loadBoth(t, g, path)
		me := mustMismatch(t, err)
		if !slices.Equal(me.Unexpected, []string{"fc2.weight"}) || len(me.Missing)+len(me.Problems) != 0 {
			t.Errorf("got %+v", me)
		}
		if !strings.Contains(err.Error(), "1 unexpected key\n  unexpected key \"fc2.weight\"") {
			t.Errorf("message %q", err)
		}
	})
	t.Run("shape", func(t *testing.T) {
		path := edit(func(es []entry) []entry {
			i := find(es, "layer3.1.conv2.weight")
			es[i] = entry{es[i].name, "F32", []int{256, 128, 3, 3}, f32(make([]float32, 256*128*9))}
			return es
		})
		_, err := loadBoth(t, g, path)
		me := mustMismatch(t, err)
		want := `"layer3.1.conv2.weight": shape [256,256,3,3], file has [256,128,3,3]`
		if !slices.Equal(me.Problems, []string{want}) || len(me.Missing)+len(me.Unexpected) != 0 {
			t.Errorf("got %+v", me)
		}
		if !strings.Contains(err.Error(), "1 other problem\n  "+want) {
			t.Errorf("message %q", err)
		}
	})
	// NaN and infinite values, and a negative running variance, would make
	// every output NaN: they are rejected with the tensors' names.
	t.Run("bad values", func(t *testing.T) {
		path := edit(func(es []entry) []entry {
			set := func(name string, at int, v float32) {
				i := find(es, name)
				d := slices.Clone(es[i].data)
				binary.LittleEndian.PutUint32(d[4*at:], math.Float32bits(v))
				es[i].data = d
			}
			set("conv1.weight", 5, float32(math.NaN()))
			set("conv1.weight", 9, float32(math.NaN()))
			set("fc.bias", 0, float32(math.Inf(-1)))
			set("bn1.running_var", 3, -0.5)
			set("bn1.running_mean", 3, -0.5) // a negative mean is fine
			return es
		})
		_, err := loadBoth(t, g, path)
		me := mustMismatch(t, err)
		want := []string{
			`"conv1.weight": 2 NaN values (the first at index 5, NaN)`,
			`"bn1.running_var": 1 negative running variance (the first at index 3, -0.5)`,
			`"fc.bias": 1 infinite value (the first at index 0, -Inf)`,
		}
		if !slices.Equal(me.Problems, want) || len(me.Missing)+len(me.Unexpected) != 0 {
			t.Errorf("got %q", me.Problems)
		}
	})
	// A key holding a NUL or a newline is printed quoted, so it cannot pass
	// for a real name or a line of the message.
	t.Run("odd names", func(t *testing.T) {
		path := edit(func(es []entry) []entry {
			i := find(es, "fc.bias")
			es[i].name = "fc.bias\x00"
			return append(es, entry{"a\n  missing key fc.weight", "F32", []int{1}, f32([]float32{0})})
		})
		_, err := loadBoth(t, g, path)
		msg := err.Error()
		for _, s := range []string{`missing key "fc.bias"`, `unexpected key "a\n  missing key fc.weight"`, `unexpected key "fc.bias\x00"`} {
			if !strings.Contains(msg, s) {
				t.Errorf("message %q lacks %q", msg, s)
			}
		}
		if strings.Contains(msg, "\x00") && strings.ContainsRune(msg, 0) {
			t.Errorf("message holds a raw NUL: %q", msg)
		}
	})
	// The file's own metadata is quoted too: it may hold anything.
	t.Run("odd metadata", func(t *testing.T) {
		path := handMade(t, `{"resc_model":"x\n  missing key fc.weight"}`, slices.Delete(slices.Clone(base), 0, 1))
		_, err := loadBoth(t, g, path)
		if msg := err.Error(); !strings.Contains(msg, `(saved from "x\n  missing key fc.weight")`) {
			t.Errorf("message %q", msg)
		}
	})
	t.Run("integer weight", func(t *testing.T) {
		path := edit(func(es []entry) []entry {
			es[find(es, "fc.bias")] = entry{"fc.bias", "I64", []int{1000}, make([]byte, 8000)}
			return es
		})
		_, err := loadBoth(t, g, path)
		me := mustMismatch(t, err)
		if !slices.Equal(me.Problems, []string{`"fc.bias": dtype I64 is not a float type (F32, F16, BF16, F64)`}) {
			t.Errorf("got %+v", me)
		}
	})
	t.Run("all together", func(t *testing.T) {
		path := edit(func(es []entry) []entry {
			es = slices.Delete(es, find(es, "conv1.weight"), find(es, "conv1.weight")+1)
			i := find(es, "fc.weight")
			es[i] = entry{"fc.weight", "F32", []int{512, 1000}, es[i].data}
			return append(es, entry{"junk", "F32", []int{1}, f32([]float32{0})})
		})
		_, err := loadBoth(t, g, path)
		me := mustMismatch(t, err)
		if len(me.Missing) != 1 || len(me.Unexpected) != 1 || len(me.Problems) != 1 {
			t.Errorf("got %+v", me)
		}
		if !strings.Contains(err.Error(), "1 missing key, 1 unexpected key, 1 other problem") {
			t.Errorf("message %q", err)
		}
	})
	t.Run("prefix hint", func(t *testing.T) {
		path := edit(func(es []entry) []entry {
			for i := range es {
				es[i].name = "module." + es[i].name
			}
			return es
		})
		_, err := loadBoth(t, g, path)
		me := mustMismatch(t, err)
		if len(me.Missing) != 102 || len(me.Unexpected) != 102 {
			t.Errorf("%d missing, %d unexpected", len(me.Missing), len(me.Unexpected))
		}
		msg := err.Error()
		if !strings.Contains(msg, `hint: the file's names seem to carry a prefix "module."`) || !strings.Contains(msg, "... and 82 more missing keys") {
			t.Errorf("message %q", msg)
		}
		if strings.Count(msg, "\n") != 2*maxListed+3 {
			t.Errorf("message has %d lines", strings.Count(msg, "\n")+1)
		}
	})
	t.Run("not safetensors", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "bad")
		os.WriteFile(path, []byte("\x10\x00\x00\x00\x00\x00\x00\x00 not JSON"), 0o644)
		_, err := loadBoth(t, g, path)
		if err == nil || !strings.Contains(err.Error(), "invalid safetensors file") || !strings.Contains(err.Error(), path) {
			t.Errorf("error %v", err)
		}
	})
	t.Run("broken zip", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "bad")
		os.WriteFile(path, []byte("PK\x03\x04 a zip, as torch.save writes"), 0o644)
		_, err := loadBoth(t, g, path)
		if err == nil || !strings.Contains(err.Error(), "invalid PyTorch checkpoint") || !strings.Contains(err.Error(), path) {
			t.Errorf("error %v", err)
		}
	})
}

// TestLoadHalf checks that F16 and BF16 files load exactly for values both
// formats represent.
func TestLoadHalf(t *testing.T) {
	g := build(t, "resnet18")
	for _, dtype := range []string{"F16", "BF16"} {
		var es []entry
		want := Set{}
		k := 0
		for _, n := range g.Nodes {
			for _, p := range n.Params {
				v := make([]float32, p.Size())
				var b []byte
				for i := range v {
					// multiples of 1/64 in [-2, 2): exact in both formats
					v[i] = float32((i+k)%256-128) / 64
					if p.Role == ir.RoleVar { // a variance is not negative
						v[i] = float32(math.Abs(float64(v[i])))
					}
					var h uint16
					if dtype == "BF16" {
						h = uint16(math.Float32bits(v[i]) >> 16)
					} else {
						h = toHalf(v[i])
					}
					b = binary.LittleEndian.AppendUint16(b, h)
				}
				k++
				want[p.Name] = v
				es = append(es, entry{p.Name, dtype, p.Shape, b})
			}
		}
		w, err := loadBoth(t, g, handMade(t, "", es))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(w, want) {
			t.Errorf("%s: values differ", dtype)
		}
	}
}

// toHalf converts a float32 that binary16 holds exactly as a normal or zero.
func toHalf(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	if b&0x7fffffff == 0 {
		return sign
	}
	exp := int(b>>23&0xff) - 127 + 15
	return sign | uint16(exp)<<10 | uint16(b>>13&0x3ff)
}

// kerasFile writes every parameter of g in Keras layout, kernels HWIO and
// dense [in,out], with values that encode their IR position, and returns
// the expected IR-layout set.
func kerasFile(t *testing.T, g *ir.Graph, suffix bool) (string, Set) {
	var es []entry
	want := Set{}
	k := 0
	for _, n := range g.Nodes {
		for _, p := range n.Params {
			k++
			// Distinct within a tensor and exact (sizes stay below 2^22).
			irv := make([]float32, p.Size())
			for i := range irv {
				irv[i] = float32(i) + float32(k%4)/4
			}
			want[p.Name] = irv
			shape, vals := p.Shape, irv
			if p.Role == ir.RoleWeight && len(p.Shape) >= 2 {
				shape, vals = toKeras(p.Shape, irv)
			}
			name := p.Name
			if suffix && k%2 == 0 {
				name += ":0"
			}
			es = append(es, entry{name, "F32", shape, f32(vals)})
		}
	}
	return handMade(t, "", es), want
}

// toKeras transposes an IR kernel [o,i,s...] to Keras [s...,i,o] by the
// definition, independently of fromKeras.
func toKeras(shape []int, v []float32) ([]int, []float32) {
	o, in := shape[0], shape[1]
	sp := 1
	for _, d := range shape[2:] {
		sp *= d
	}
	ks := append(slices.Clone(shape[2:]), in, o)
	out := make([]float32, len(v))
	for oi := 0; oi < o; oi++ {
		for ii := 0; ii < in; ii++ {
			for s := 0; s < sp; s++ {
				out[s*in*o+ii*o+oi] = v[(oi*in+ii)*sp+s]
			}
		}
	}
	return ks, out
}

func TestLoadKeras(t *testing.T) {
	g := build(t, "keras_resnet50")
	path, want := kerasFile(t, g, true)
	w, err := loadBoth(t, g, path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(w, want) {
		t.Fatal("Keras layout not transposed to the IR's")
	}
	f, err := safetensors.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// One conv by hand: IR [o,i,h,w] is Keras [h,w,i,o].
	conv := f.Tensor("conv2_block1_2_conv/kernel:0")
	if conv == nil {
		conv = f.Tensor("conv2_block1_2_conv/kernel")
	}
	if !slices.Equal(conv.Shape, []int{3, 3, 64, 64}) {
		t.Fatalf("file shape %v", conv.Shape)
	}
	ir4 := w["conv2_block1_2_conv/kernel"]
	for _, ix := range [][4]int{{0, 0, 0, 0}, {5, 7, 1, 2}, {63, 0, 2, 1}, {10, 20, 2, 2}} {
		o, i, h, x := ix[0], ix[1], ix[2], ix[3]
		if got, wantv := ir4[((o*64+i)*3+h)*3+x], conv.Data[((h*3+x)*64+i)*64+o]; got != wantv {
			t.Errorf("conv [o=%d,i=%d,h=%d,w=%d] = %v, Keras file has %v", o, i, h, x, got, wantv)
		}
	}
	// The dense layer: IR [out,in] is Keras [in,out].
	dense := f.Tensor("predictions/kernel")
	if dense == nil {
		dense = f.Tensor("predictions/kernel:0")
	}
	if !slices.Equal(dense.Shape, []int{2048, 1000}) {
		t.Fatalf("file shape %v", dense.Shape)
	}
	fc := w["predictions/kernel"]
	for _, ix := range [][2]int{{0, 0}, {999, 2047}, {3, 1500}, {700, 5}} {
		o, i := ix[0], ix[1]
		if fc[o*2048+i] != dense.Data[i*1000+o] {
			t.Errorf("dense [%d,%d] = %v, Keras file has %v", o, i, fc[o*2048+i], dense.Data[i*1000+o])
		}
	}

	// IR layout is accepted too for a Keras-named model.
	var es []entry
	for _, n := range g.Nodes {
		for _, p := range n.Params {
			es = append(es, entry{p.Name, "F32", p.Shape, f32(want[p.Name])})
		}
	}
	w2, err := loadBoth(t, g, handMade(t, "", es))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(w2, want) {
		t.Error("IR layout misread for a Keras model")
	}

	// A wrong kernel shape names both layouts.
	i := slices.IndexFunc(es, func(e entry) bool { return e.name == "predictions/kernel" })
	es[i] = entry{"predictions/kernel", "F32", []int{2048, 10}, f32(make([]float32, 20480))}
	_, err = loadBoth(t, g, handMade(t, "", es))
	me := mustMismatch(t, err)
	if want := `"predictions/kernel": shape [1000,2048] ([2048,1000] in Keras layout), file has [2048,10]`; !slices.Equal(me.Problems, []string{want}) {
		t.Errorf("got %+v", me.Problems)
	}
}

func TestLoadKerasDuplicateSuffix(t *testing.T) {
	g := build(t, "keras_resnet50")
	var es []entry
	for _, n := range g.Nodes {
		for _, p := range n.Params {
			es = append(es, entry{p.Name, "F32", p.Shape, f32(make([]float32, p.Size()))})
		}
	}
	es = append(es, entry{"conv1_bn/gamma:0", "F32", []int{64}, f32(make([]float32, 64))})
	_, err := loadBoth(t, g, handMade(t, "", es))
	me := mustMismatch(t, err)
	if want := `"conv1_bn/gamma": in the file twice, as "conv1_bn/gamma" and "conv1_bn/gamma:0"`; !slices.Equal(me.Problems, []string{want}) {
		t.Errorf("got %+v", me)
	}
	// A torch-named model takes ":0" literally.
	tg := build(t, "resnet18")
	es = nil
	for _, n := range tg.Nodes {
		for _, p := range n.Params {
			es = append(es, entry{p.Name + ":0", "F32", p.Shape, f32(make([]float32, p.Size()))})
		}
	}
	_, err = loadBoth(t, tg, handMade(t, "", es))
	if me := mustMismatch(t, err); len(me.Missing) != 102 {
		t.Errorf("%d missing", len(me.Missing))
	}
}

// TestKerasAmbiguous covers kernels whose IR and Keras shapes coincide: a
// file without resc metadata is read as Keras layout, and a file that Save
// wrote as IR layout.
func TestKerasAmbiguous(t *testing.T) {
	g := &ir.Graph{Name: "tiny", Naming: "keras", Nodes: []*ir.Node{
		{Op: ir.OpConv, Name: "c", Params: []*ir.Param{{Name: "c/kernel", Role: ir.RoleWeight, Shape: []int{3, 3, 3, 3}, Init: ir.InitKaimingFanOut}}},
		{Op: ir.OpGemm, Name: "d", Params: []*ir.Param{
			{Name: "d/kernel", Role: ir.RoleWeight, Shape: []int{4, 4}, Init: ir.InitNormal001},
			{Name: "d/bias", Role: ir.RoleBias, Shape: []int{4}, Init: ir.InitZeros},
		}},
	}}
	path, want := kerasFile(t, g, false)
	w, err := loadBoth(t, g, path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(w, want) {
		t.Error("ambiguous kernels not read as Keras layout")
	}
	if reflect.DeepEqual(w["d/kernel"], mustRead(t, path).Tensor("d/kernel").Data) {
		t.Error("test is vacuous: the dense kernel was not transposed")
	}
	saved := filepath.Join(t.TempDir(), "saved.safetensors")
	if err := Save(g, w, saved); err != nil {
		t.Fatal(err)
	}
	w2, err := loadBoth(t, g, saved)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(w2, w) {
		t.Error("Save then Load of ambiguous kernels changed them")
	}
}

func mustRead(t *testing.T, path string) *safetensors.File {
	f, err := safetensors.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestStandardNormalCDF checks the ziggurat against the normal CDF at
// points across the body and into the tail beyond the ziggurat's base
// (3.44), with 2M draws: each empirical share must be within 5 standard
// errors of the exact probability.
func TestStandardNormalCDF(t *testing.T) {
	const n = 2_000_000
	points := []float64{-4, -3.44, -3, -2, -1, -0.5, -0.1, 0, 0.1, 0.5, 1, 2, 3, 3.44, 4}
	counts := make([]int, len(points))
	r := newStream(9, "cdf")
	for i := 0; i < n; i++ {
		z := r.standardNormal()
		for j, p := range points {
			if z <= p {
				counts[j]++
			}
		}
	}
	for j, p := range points {
		want := 0.5 * (1 + math.Erf(p/math.Sqrt2))
		got := float64(counts[j]) / n
		se := math.Sqrt(want * (1 - want) / n)
		if math.Abs(got-want) > 5*se+1e-7 {
			t.Errorf("P(Z <= %v) = %.6f, want %.6f (±%.6f)", p, got, want, 5*se)
		}
	}
}
