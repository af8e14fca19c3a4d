package safetensors

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// rawFile builds a file from a header text and data bytes, the way a
// reference implementation would lay it out (no padding added here).
func rawFile(header string, data []byte) []byte {
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	out = append(out, header...)
	return append(out, data...)
}

func f32bytes(vs ...float32) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	return b
}

func sample() ([]Tensor, map[string]string) {
	return []Tensor{
		{Name: "fc.weight", Shape: []int{2, 3}, Data: []float32{1, 2, 3, 4, 5, -6.5}},
		{Name: "bn1.num_batches_tracked", DType: I64, Shape: []int{}, Raw: binary.LittleEndian.AppendUint64(nil, 7)},
		{Name: "fc.bias", DType: F32, Shape: []int{2}, Data: []float32{0.25, float32(math.Inf(-1))}},
		{Name: "bn1.weight", Shape: []int{1}, Data: []float32{1}},
		{Name: "empty", Shape: []int{0, 4}, Data: []float32{}},
		{Name: "<&>", Shape: []int{}, Data: []float32{42}},
	}, map[string]string{"format": "pt", "resc_model": "x"}
}

func TestRoundTrip(t *testing.T) {
	tensors, meta := sample()
	data, err := Encode(tensors, meta)
	if err != nil {
		t.Fatal(err)
	}
	n := binary.LittleEndian.Uint64(data)
	if n%8 != 0 {
		t.Errorf("header length %d is not a multiple of 8", n)
	}
	hdr := string(data[8 : 8+n])
	if trimmed := strings.TrimRight(hdr, " "); len(hdr)-len(trimmed) >= 8 || !strings.HasSuffix(trimmed, "}") {
		t.Errorf("header padding wrong: %q", hdr)
	}
	wantHdr := `{"<&>":{"data_offsets":[8,12],"dtype":"F32","shape":[]},` +
		`"__metadata__":{"format":"pt","resc_model":"x"},` +
		`"bn1.num_batches_tracked":{"data_offsets":[0,8],"dtype":"I64","shape":[]},` +
		`"bn1.weight":{"data_offsets":[12,16],"dtype":"F32","shape":[1]},` +
		`"empty":{"data_offsets":[16,16],"dtype":"F32","shape":[0,4]},` +
		`"fc.bias":{"data_offsets":[16,24],"dtype":"F32","shape":[2]},` +
		`"fc.weight":{"data_offsets":[24,48],"dtype":"F32","shape":[2,3]}}`
	if strings.TrimRight(hdr, " ") != wantHdr {
		t.Errorf("header\n got %s\nwant %s", hdr, wantHdr)
	}

	f, err := Read(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(f.Metadata, meta) {
		t.Errorf("metadata %v, want %v", f.Metadata, meta)
	}
	var names []string
	for _, x := range f.Tensors {
		names = append(names, x.Name)
	}
	if want := []string{"<&>", "bn1.num_batches_tracked", "bn1.weight", "empty", "fc.bias", "fc.weight"}; !reflect.DeepEqual(names, want) {
		t.Errorf("names %v, want %v", names, want)
	}
	for _, in := range tensors {
		got := f.Tensor(in.Name)
		if got == nil {
			t.Fatalf("%s missing", in.Name)
		}
		if !reflect.DeepEqual(got.Shape, in.Shape) {
			t.Errorf("%s: shape %v, want %v", in.Name, got.Shape, in.Shape)
		}
		if in.DType == I64 {
			if got.IsWeight() || got.DType != I64 || !bytes.Equal(got.Raw, in.Raw) || got.Data != nil {
				t.Errorf("%s: got %+v", in.Name, got)
			}
			if _, err := got.Float32s(); err == nil {
				t.Errorf("%s: Float32s of an I64 tensor gave no error", in.Name)
			}
			continue
		}
		if !got.IsWeight() || got.DType != F32 || !reflect.DeepEqual(got.Data, in.Data) {
			t.Errorf("%s: got %+v, want %v", in.Name, got, in.Data)
		}
	}
	if f.Tensor("nope") != nil {
		t.Error("Tensor(nope) is not nil")
	}

	// Deterministic: input order does not matter.
	rev := make([]Tensor, len(tensors))
	for i := range tensors {
		rev[len(tensors)-1-i] = tensors[i]
	}
	again, err := Encode(rev, meta)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, again) {
		t.Error("encoding depends on the order of the tensors")
	}
	// And re-encoding what was read gives the same bytes.
	re, err := Encode(f.Tensors, f.Metadata)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, re) {
		t.Error("re-encoding a read file changed it")
	}
}

func TestWriteFile(t *testing.T) {
	tensors, meta := sample()
	path := filepath.Join(t.TempDir(), "w.safetensors")
	if err := WriteFile(path, tensors, meta); err != nil {
		t.Fatal(err)
	}
	f, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Tensors) != len(tensors) {
		t.Errorf("%d tensors, want %d", len(f.Tensors), len(tensors))
	}
	var buf bytes.Buffer
	if err := Write(&buf, tensors, meta); err != nil {
		t.Fatal(err)
	}
	disk, _ := os.ReadFile(path)
	if !bytes.Equal(buf.Bytes(), disk) {
		t.Error("Write and WriteFile differ")
	}
	if _, err := ReadFile(filepath.Join(t.TempDir(), "absent")); err == nil {
		t.Error("reading an absent file gave no error")
	}
	os.WriteFile(path, []byte("garbage"), 0o644)
	if _, err := ReadFile(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("error %v does not name the file", err)
	}
}

// TestReferenceLayout reads a header laid out as the reference
// implementation writes it: metadata first, fields in struct order, data
// in an order other than the keys'.
func TestReferenceLayout(t *testing.T) {
	hdr := `{"__metadata__":{"format":"pt"},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"BF16","shape":[2],"data_offsets":[8,12]}}`
	for len(hdr)%8 != 0 {
		hdr += " "
	}
	data := f32bytes(1.5, -2)
	data = binary.LittleEndian.AppendUint16(data, 0x3f80) // 1 in bf16
	data = binary.LittleEndian.AppendUint16(data, 0xc0a0) // -5 in bf16
	f, err := Read(rawFile(hdr, data))
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Tensor("a"); got == nil || got.DType != BF16 || !reflect.DeepEqual(got.Data, []float32{1, -5}) {
		t.Errorf("a = %+v", got)
	}
	if got := f.Tensor("b"); got == nil || !reflect.DeepEqual(got.Data, []float32{1.5, -2}) {
		t.Errorf("b = %+v", got)
	}
	if f.Metadata["format"] != "pt" {
		t.Errorf("metadata %v", f.Metadata)
	}
}

// halfRef computes a binary16 value from its definition.
func halfRef(h uint16) float64 {
	s := 1.0
	if h&0x8000 != 0 {
		s = -1
	}
	e := int(h>>10) & 0x1f
	f := float64(h & 0x3ff)
	switch e {
	case 0x1f:
		if f != 0 {
			return math.NaN()
		}
		return s * math.Inf(1)
	case 0:
		return s * math.Ldexp(f/1024, -14)
	}
	return s * math.Ldexp(1+f/1024, e-15)
}

func TestHalf(t *testing.T) {
	for i := 0; i < 1<<16; i++ {
		h := uint16(i)
		got, want := HalfToFloat32(h), halfRef(h)
		if math.IsNaN(want) {
			if !math.IsNaN(float64(got)) {
				t.Fatalf("%#04x: got %v, want NaN", h, got)
			}
			if math.Float32bits(got)>>13&0x3ff != uint32(h&0x3ff) || math.Float32bits(got)>>31 != uint32(h>>15) {
				t.Fatalf("%#04x: NaN payload or sign lost: %#08x", h, math.Float32bits(got))
			}
			continue
		}
		if float64(got) != want || math.Signbit(float64(got)) != math.Signbit(want) {
			t.Fatalf("%#04x: got %v, want %v", h, got, want)
		}
	}
	for h, want := range map[uint16]float32{0x3c00: 1, 0xc000: -2, 0x7bff: 65504, 0x0001: 0x1p-24, 0x0400: 0x1p-14, 0x3555: 0.333251953125} {
		if got := HalfToFloat32(h); got != want {
			t.Errorf("%#04x: got %v, want %v", h, got, want)
		}
	}
}

func TestFloatDTypes(t *testing.T) {
	var data []byte
	for _, h := range []uint16{0x3c00, 0xb800, 0x7c00} { // 1, -0.5, +Inf
		data = binary.LittleEndian.AppendUint16(data, h)
	}
	for _, b := range []uint16{0x4049, 0xbf00} { // 3.140625, -0.5
		data = binary.LittleEndian.AppendUint16(data, b)
	}
	data = binary.LittleEndian.AppendUint64(data, math.Float64bits(0.1))
	data = append(data, 1, 0, 0, 0) // I32 1
	data = append(data, 1, 0)       // BOOL x2
	hdr := `{"h":{"dtype":"F16","shape":[3],"data_offsets":[0,6]},` +
		`"b":{"dtype":"BF16","shape":[2],"data_offsets":[6,10]},` +
		`"d":{"dtype":"F64","shape":[1],"data_offsets":[10,18]},` +
		`"i":{"dtype":"I32","shape":[1],"data_offsets":[18,22]},` +
		`"z":{"dtype":"BOOL","shape":[2],"data_offsets":[22,24]}}`
	f, err := Read(rawFile(hdr, data))
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, want []float32) {
		t.Helper()
		got := f.Tensor(name)
		if got == nil || !got.IsWeight() || !reflect.DeepEqual(got.Data, want) {
			t.Errorf("%s = %+v, want %v", name, got, want)
		}
	}
	check("h", []float32{1, -0.5, float32(math.Inf(1))})
	check("b", []float32{3.140625, -0.5})
	check("d", []float32{0.1})
	for _, name := range []string{"i", "z"} {
		if x := f.Tensor(name); x == nil || x.IsWeight() || len(x.Raw) == 0 {
			t.Errorf("%s = %+v, want a non-weight with raw bytes", name, x)
		}
	}
	// Re-encoding writes the floats as F32 and keeps the others.
	out, err := Encode(f.Tensors, f.Metadata)
	if err != nil {
		t.Fatal(err)
	}
	g, err := Read(out)
	if err != nil {
		t.Fatal(err)
	}
	if g.Tensor("h").DType != F32 || g.Tensor("i").DType != I32 || !bytes.Equal(g.Tensor("z").Raw, []byte{1, 0}) {
		t.Errorf("re-encoded: %+v", g.Tensors)
	}
}

func TestEmptyFile(t *testing.T) {
	out, err := Encode(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := rawFile("{}      ", nil); !bytes.Equal(out, want) {
		t.Errorf("got %q, want %q", out, want)
	}
	f, err := Read(out)
	if err != nil || len(f.Tensors) != 0 || f.Metadata != nil {
		t.Errorf("got %+v, %v", f, err)
	}
}

func TestReadErrors(t *testing.T) {
	ok := `{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`
	huge := binary.LittleEndian.AppendUint64(nil, 1<<40)
	past := binary.LittleEndian.AppendUint64(nil, 100)
	past = append(past, "{}"...)
	cases := []struct {
		name string
		file []byte
		want string
	}{
		{"empty", nil, "too short"},
		{"short", []byte{1, 2, 3}, "too short"},
		{"huge header", huge, "exceeds the limit"},
		{"header past end", past, "runs past the end of the file"},
		{"truncated data", rawFile(ok, make([]byte, 7)), "run past the end of the data"},
		{"extra data", rawFile(ok, make([]byte, 9)), "cover 8 bytes of data, but the file has 9"},
		{"not an object", rawFile(`[]`, nil), "does not start with '{'"},
		{"leading space", rawFile(` {}`, nil), "does not start with '{'"},
		{"bad json", rawFile(`{"a":`, nil), "bad JSON header"},
		{"bad json 2", rawFile(`{"a" 1}`, nil), "bad JSON header"},
		{"trailing", rawFile(`{}x`, nil), "bad JSON header"},
		{"trailing object", rawFile(`{}{}`, nil), "after the header object"},
		{"nul padding", rawFile("{}\x00", nil), "bad JSON header"},
		{"invalid utf8", rawFile("{\"\xff\":1}", nil), "not valid UTF-8"},
		{"entry not object", rawFile(`{"a":1}`, nil), `tensor "a": want "{"`},
		{"unknown dtype", rawFile(`{"a":{"dtype":"F33","shape":[2],"data_offsets":[0,8]}}`, make([]byte, 8)), `unknown dtype "F33"`},
		{"dtype not string", rawFile(`{"a":{"dtype":4,"shape":[2],"data_offsets":[0,8]}}`, make([]byte, 8)), "not a string"},
		{"no dtype", rawFile(`{"a":{"shape":[2],"data_offsets":[0,8]}}`, make([]byte, 8)), "has no dtype"},
		{"no shape", rawFile(`{"a":{"dtype":"F32","data_offsets":[0,8]}}`, make([]byte, 8)), "has no shape"},
		{"no offsets", rawFile(`{"a":{"dtype":"F32","shape":[2]}}`, make([]byte, 8)), "has no data_offsets"},
		{"dup field", rawFile(`{"a":{"dtype":"F32","dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, make([]byte, 8)), `"dtype" appears twice`},
		{"negative dim", rawFile(`{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}`, make([]byte, 8)), "not a non-negative integer"},
		{"float dim", rawFile(`{"a":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}}`, make([]byte, 8)), "not a non-negative integer"},
		{"huge dim", rawFile(`{"a":{"dtype":"F32","shape":[99999999999999999999],"data_offsets":[0,8]}}`, make([]byte, 8)), "not a non-negative integer"},
		{"string dim", rawFile(`{"a":{"dtype":"F32","shape":["2"],"data_offsets":[0,8]}}`, make([]byte, 8)), "is not a number"},
		{"shape not array", rawFile(`{"a":{"dtype":"F32","shape":2,"data_offsets":[0,8]}}`, make([]byte, 8)), `want "["`},
		{"three offsets", rawFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8,9]}}`, make([]byte, 8)), "has 3 numbers, want 2"},
		{"reversed offsets", rawFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}`, make([]byte, 8)), "end before they begin"},
		{"offsets past end", rawFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,80]}}`, make([]byte, 8)), "run past the end of the data"},
		{"size mismatch", rawFile(`{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, make([]byte, 8)), "hold 8 bytes, but shape [3] of F32 needs 12"},
		{"size overflow", rawFile(`{"a":{"dtype":"F32","shape":[4294967296,4294967296,4],"data_offsets":[0,8]}}`, make([]byte, 8)), "needs too many"},
		{"half bytes", rawFile(`{"a":{"dtype":"F4","shape":[3],"data_offsets":[0,1]}}`, make([]byte, 1)), "not a whole number of bytes"},
		{"gap", rawFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, make([]byte, 8)), "leave a gap after offset 0"},
		{"overlap", rawFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, make([]byte, 8)), "overlap the previous tensor"},
		{"same range", rawFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, make([]byte, 16)), "overlap"},
		{"duplicate", rawFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, make([]byte, 8)), `tensor "a" appears twice`},
		{"duplicate escaped", rawFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"\u0061":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, make([]byte, 8)), `tensor "a" appears twice`},
		{"metadata twice", rawFile(`{"__metadata__":{},"__metadata__":{}}`, nil), "appears twice"},
		{"metadata not object", rawFile(`{"__metadata__":[]}`, nil), "want an object of strings"},
		{"metadata number", rawFile(`{"__metadata__":{"a":1}}`, nil), `value of "a" is 1, not a string`},
		{"metadata dup key", rawFile(`{"__metadata__":{"a":"x","a":"y"}}`, nil), `key "a" appears twice`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := Read(c.file)
			if err == nil {
				t.Fatalf("no error; read %+v", f)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not contain %q", err, c.want)
			}
			if !strings.HasPrefix(err.Error(), "invalid safetensors file: ") {
				t.Errorf("error %q lacks the common prefix", err)
			}
		})
	}
}

func TestReadLenient(t *testing.T) {
	// Unknown fields are skipped and null metadata is no metadata, as the
	// reference implementation reads them; zero-size tensors may share an
	// offset.
	hdr := `{"__metadata__":null,"a":{"dtype":"F32","shape":[0],"data_offsets":[0,0],"extra":{"x":[1]}},` +
		`"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"c":{"dtype":"I8","shape":[0,3],"data_offsets":[4,4]}}    `
	f, err := Read(rawFile(hdr, f32bytes(3)))
	if err != nil {
		t.Fatal(err)
	}
	if f.Metadata != nil || len(f.Tensors) != 3 || f.Tensor("b").Data[0] != 3 {
		t.Errorf("got %+v", f)
	}
}

func TestEncodeErrors(t *testing.T) {
	cases := []struct {
		name string
		in   []Tensor
		meta map[string]string
		want string
	}{
		{"count", []Tensor{{Name: "a", Shape: []int{2, 2}, Data: []float32{1}}}, nil, "has 4 elements, but it holds 1"},
		{"dup", []Tensor{{Name: "a", Shape: []int{}, Data: []float32{1}}, {Name: "a", Shape: []int{}, Data: []float32{1}}}, nil, "given twice"},
		{"reserved", []Tensor{{Name: "__metadata__", Shape: []int{}, Data: []float32{1}}}, nil, "cannot be called"},
		{"negative", []Tensor{{Name: "a", Shape: []int{-1}, Data: nil}}, nil, "bad shape"},
		{"raw size", []Tensor{{Name: "a", DType: I64, Shape: []int{2}, Raw: make([]byte, 8)}}, nil, "does not match its 8 bytes"},
		{"raw overflow", []Tensor{{Name: "a", DType: I64, Shape: []int{1 << 58}, Raw: []byte{}}}, nil, "does not match its 0 bytes"},
		{"unknown", []Tensor{{Name: "a", DType: "X", Shape: []int{1}, Raw: make([]byte, 8)}}, nil, "unknown dtype"},
		{"int with data", []Tensor{{Name: "a", DType: I32, Shape: []int{1}, Raw: make([]byte, 4), Data: []float32{1}}}, nil, "not a float type"},
		{"utf8", []Tensor{{Name: "\xff", Shape: []int{}, Data: []float32{1}}}, nil, "not valid UTF-8"},
		{"meta utf8", nil, map[string]string{"a": "\xff"}, "not valid UTF-8"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Encode(c.in, c.meta)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want %q", err, c.want)
			}
		})
	}
}

func TestFormatShape(t *testing.T) {
	if got := FormatShape([]int{256, 128, 3, 3}); got != "[256,128,3,3]" {
		t.Error(got)
	}
	if got := FormatShape(nil); got != "[]" {
		t.Error(got)
	}
}

// FuzzRead checks that Read never panics and that whatever it accepts
// re-encodes to a file that reads back the same and re-encodes to the same
// bytes.
func FuzzRead(f *testing.F) {
	tensors, meta := sample()
	valid, err := Encode(tensors, meta)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Add(valid[:len(valid)-1])
	f.Add(valid[:20])
	f.Add([]byte{})
	empty, _ := Encode(nil, nil)
	f.Add(empty)
	mixed := rawFile(`{"h":{"dtype":"F16","shape":[1],"data_offsets":[0,2]},"b":{"dtype":"BF16","shape":[1],"data_offsets":[2,4]},"d":{"dtype":"F64","shape":[],"data_offsets":[4,12]},"u":{"dtype":"U8","shape":[2,1],"data_offsets":[12,14]}}`,
		[]byte{0, 0x3c, 0x80, 0x3f, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 7, 9})
	f.Add(mixed)
	for i := 0; i < 8; i++ { // header bytes flipped
		c := bytes.Clone(valid)
		c[8+i*13%int(binary.LittleEndian.Uint64(valid))] ^= 0x20
		f.Add(c)
	}
	long := bytes.Clone(valid)
	binary.LittleEndian.PutUint64(long, 1<<62)
	f.Add(long)
	f.Add(rawFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}`, make([]byte, 16)))
	f.Add(rawFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, make([]byte, 8)))

	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64<<10 {
			return // the header's corner cases fit in a few kilobytes
		}
		a, err := Read(data)
		if err != nil {
			return
		}
		out, err := Encode(a.Tensors, a.Metadata)
		if err != nil {
			t.Fatalf("read but cannot re-encode: %v", err)
		}
		b, err := Read(out)
		if err != nil {
			t.Fatalf("re-encoded file does not read: %v", err)
		}
		if err := sameContent(a, b); err != nil {
			t.Fatal(err)
		}
		again, err := Encode(b.Tensors, b.Metadata)
		if err != nil || !bytes.Equal(out, again) {
			t.Fatalf("encoding not stable: %v", err)
		}
	})
}

// sameContent compares two files tensor by tensor: floats bit for bit (a
// float tensor becomes F32 when rewritten), others by dtype and bytes.
func sameContent(a, b *File) error {
	if len(a.Metadata) != len(b.Metadata) {
		return fmt.Errorf("metadata %v became %v", a.Metadata, b.Metadata)
	}
	for k, v := range a.Metadata {
		if b.Metadata[k] != v {
			return fmt.Errorf("metadata %v became %v", a.Metadata, b.Metadata)
		}
	}
	if len(a.Tensors) != len(b.Tensors) {
		return fmt.Errorf("%d tensors became %d", len(a.Tensors), len(b.Tensors))
	}
	for i := range a.Tensors {
		x, y := &a.Tensors[i], &b.Tensors[i]
		if x.Name != y.Name || !reflect.DeepEqual(x.Shape, y.Shape) || x.IsWeight() != y.IsWeight() {
			return fmt.Errorf("tensor %q %v became %q %v", x.Name, x.Shape, y.Name, y.Shape)
		}
		if !x.IsWeight() {
			if x.DType != y.DType || !bytes.Equal(x.Raw, y.Raw) {
				return fmt.Errorf("tensor %q changed", x.Name)
			}
			continue
		}
		if y.DType != F32 || len(x.Data) != len(y.Data) {
			return fmt.Errorf("tensor %q changed", x.Name)
		}
		for j := range x.Data {
			if math.Float32bits(x.Data[j]) != math.Float32bits(y.Data[j]) {
				return fmt.Errorf("tensor %q element %d: %v became %v", x.Name, j, x.Data[j], y.Data[j])
			}
		}
	}
	return nil
}
