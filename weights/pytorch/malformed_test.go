package pytorch_test

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/resc-dev/resc/weights/pytorch"
)

// pk writes pickle programs by hand, opcode by opcode.
type pk struct{ bytes.Buffer }

func (p *pk) op(b ...byte) *pk { p.Write(b); return p }

func (p *pk) str(s string) *pk {
	p.WriteByte('X')
	binary.Write(p, binary.LittleEndian, uint32(len(s)))
	p.WriteString(s)
	return p
}

func (p *pk) int(n int) *pk {
	p.WriteByte('J')
	binary.Write(p, binary.LittleEndian, int32(n))
	return p
}

func (p *pk) global(module, name string) *pk {
	p.WriteString("c" + module + "\n" + name + "\n")
	return p
}

func (p *pk) ints(v ...int) *pk {
	p.op('(')
	for _, n := range v {
		p.int(n)
	}
	return p.op('t')
}

// tensor pushes _rebuild_tensor_v2 of a view of storage key, as torch.save
// writes it.
func (p *pk) tensor(storageType, key string, numel, offset int, size, stride []int) *pk {
	p.global("torch._utils", "_rebuild_tensor_v2").op('(')
	p.op('(').str("storage").global("torch", storageType).str(key).str("cpu").int(numel).op('t', 'Q')
	p.int(offset).ints(size...).ints(stride...).op(0x89)
	p.global("collections", "OrderedDict").op(')', 'R')
	return p.op('t', 'R')
}

// stateDict is a pickle of {name: tensor} for one float32 tensor.
func stateDict(name string, numel, offset int, size, stride []int) []byte {
	p := &pk{}
	p.op(0x80, 2).global("collections", "OrderedDict").op(')', 'R')
	p.str(name).tensor("FloatStorage", "0", numel, offset, size, stride).op('s', '.')
	return p.Bytes()
}

// checkpoint zips records as torch.save does, under archive/.
func checkpoint(records ...any) []byte {
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for i := 0; i+1 < len(records); i += 2 {
		w, _ := z.CreateHeader(&zip.FileHeader{Name: records[i].(string), Method: zip.Store})
		w.Write(records[i+1].([]byte))
	}
	z.Close()
	return b.Bytes()
}

func floats(v ...float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

func read(data []byte) error {
	_, err := pytorch.Read(bytes.NewReader(data), int64(len(data)))
	return err
}

// TestHandmade: a checkpoint written here, with the records PyTorch 2
// adds (byteorder, .data/serialization_id), reads with its view applied.
func TestHandmade(t *testing.T) {
	data := checkpoint("archive/data.pkl", stateDict("w", 6, 1, []int{2, 2}, []int{1, 2}),
		"archive/data/0", floats(0, 1, 2, 3, 4, 5), "archive/version", []byte("3\n"),
		"archive/byteorder", []byte("little"), "archive/.data/serialization_id", []byte("1234"))
	f, err := pytorch.Read(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Tensors) != 1 || f.Tensors[0].Name != "w" || !slices.Equal(f.Tensors[0].Data, []float32{1, 3, 2, 4}) {
		t.Fatalf("got %+v", f.Tensors)
	}
}

// TestRebuildFromType: PyTorch 2 pickles a tensor that carries Python
// attributes as _rebuild_from_type_v2(_rebuild_tensor_v2, torch.Tensor,
// args, state) (PyTorch 1.13, which the other tests use, only does so for
// subclasses, which are refused).
func TestRebuildFromType(t *testing.T) {
	pickle := func(module, name string) []byte {
		p := &pk{}
		p.op(0x80, 2, '}').str("w")
		p.global("torch._tensor", "_rebuild_from_type_v2").op('(')
		p.global("torch._utils", "_rebuild_tensor_v2").global(module, name).op('(')
		p.op('(').str("storage").global("torch", "FloatStorage").str("0").str("cpu").int(3).op('t', 'Q')
		p.int(0).ints(3).ints(1).op(0x89).global("collections", "OrderedDict").op(')', 'R', 't')
		p.op('}').str("note").str("an attribute").op('s', 't', 'R', 's', '.')
		return checkpoint("archive/data.pkl", p.Bytes(), "archive/data/0", floats(7, 8, 9))
	}
	data := pickle("torch", "Tensor")
	f, err := pytorch.Read(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Tensors) != 1 || !slices.Equal(f.Tensors[0].Data, []float32{7, 8, 9}) {
		t.Fatalf("got %+v", f.Tensors)
	}
	if err := read(pickle("torch", "Size")); err == nil || !strings.Contains(err.Error(), "not a rebuild function, a tensor type") {
		t.Errorf("a non-tensor type: %v", err)
	}
}

// TestRecognise: checkpoints by their first bytes, and safetensors files
// never, even one whose header length reads like a pickle's start.
func TestRecognise(t *testing.T) {
	for _, c := range []struct {
		head []byte
		want bool
	}{
		{checkpoint("archive/data.pkl", []byte{'N', '.'}), true},
		{checkpoint(), true},
		{[]byte("\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19."), true},
		{[]byte("\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00}."), true},
		{[]byte("\x80\x02\x00\x00\x00\x00\x00\x00{\"a\":{}}"), false}, // safetensors, header of 640 bytes
		{[]byte("PK\x03\x04\x00\x00\x00\x00{"), false},
		{[]byte("\x10\x00\x00\x00\x00\x00\x00\x00{}"), false},
		{nil, false},
	} {
		if got := pytorch.Recognise(c.head); got != c.want {
			t.Errorf("Recognise(%q) = %v", c.head[:min(len(c.head), 12)], got)
		}
	}
}

// TestMalformed: each handcrafted defect is a specific error, not a panic.
func TestMalformed(t *testing.T) {
	good := stateDict("w", 4, 0, []int{4}, []int{1})
	four := floats(1, 2, 3, 4)
	evil := (&pk{}).op(0x80, 2).global("os", "system").str("echo hi").op(0x85, 'R', '.').Bytes()
	stackEvil := (&pk{}).op(0x80, 4).str("builtins").str("eval").op(0x93).Bytes()
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"not zip", []byte("PK\x03\x04 and then nothing"), "not a readable zip archive"},
		{"no data.pkl", checkpoint("archive/other", four), "without a data.pkl record"},
		{"two data.pkl", checkpoint("a/data.pkl", good, "b/data.pkl", good), "2 data.pkl records"},
		{"big endian", checkpoint("archive/data.pkl", good, "archive/data/0", four, "archive/byteorder", []byte("big")), `byte order "big"`},
		{"os.system", checkpoint("archive/data.pkl", evil), "refused to load os.system"},
		{"stack global", checkpoint("archive/data.pkl", stackEvil), "refused to load builtins.eval"},
		{"no storage record", checkpoint("archive/data.pkl", good), "no record data/0"},
		{"short storage", checkpoint("archive/data.pkl", good, "archive/data/0", floats(1, 2, 3)), "4 elements of F32 need 16 bytes, the record holds 12"},
		{"view past end", checkpoint("archive/data.pkl", stateDict("w", 4, 2, []int{3}, []int{1}), "archive/data/0", four), "reaches past the 4 elements"},
		{"strided past end", checkpoint("archive/data.pkl", stateDict("w", 4, 0, []int{2, 2}, []int{3, 1}), "archive/data/0", four), "reaches past"},
		{"huge size", checkpoint("archive/data.pkl", stateDict("w", 4, 0, []int{1 << 30, 1 << 30, 1 << 30}, []int{0, 0, 0}), "archive/data/0", four), "too many elements"},
		{"expanded bomb", checkpoint("archive/data.pkl", stateDict("w", 4, 0, []int{1 << 30}, []int{0}), "archive/data/0", four), "times the file's size"},
		{"negative size", checkpoint("archive/data.pkl", stateDict("w", 4, 0, []int{-1}, []int{1}), "archive/data/0", four), "not a non-negative int"},
		{"truncated", checkpoint("archive/data.pkl", good[:len(good)-1], "archive/data/0", four), "ends without STOP"},
		{"cut in global", checkpoint("archive/data.pkl", good[:40]), "ends inside a GLOBAL name"},
		{"cut in argument", checkpoint("archive/data.pkl", []byte{0x80, 2, 'J', 1}), "ends inside an opcode's argument"},
		{"string past end", checkpoint("archive/data.pkl", []byte{0x80, 2, 'X', 100, 0, 0, 0, 'a'}), "a length of 100 runs past the end"},
		{"unknown opcode", checkpoint("archive/data.pkl", []byte{0x80, 2, 0xff}), "unknown opcode 0xff"},
		{"INST", checkpoint("archive/data.pkl", []byte("\x80\x02ios\nsystem\n.")), "opcode INST"},
		{"protocol 6", checkpoint("archive/data.pkl", []byte{0x80, 6, 'N', '.'}), "protocol 6"},
		{"memo miss", checkpoint("archive/data.pkl", []byte{0x80, 2, 'h', 9, '.'}), "memo entry 9"},
		{"empty stack", checkpoint("archive/data.pkl", []byte{0x80, 2, 'R', '.'}), "empty stack"},
		{"list", checkpoint("archive/data.pkl", []byte{0x80, 2, ']', '.'}), "holds a list, not a state_dict"},
		{"int value", checkpoint("archive/data.pkl", (&pk{}).op(0x80, 2, '}').str("epoch").int(3).op('s', '.').Bytes()), `holds an int under "epoch", not a tensor`},
		{"empty dict", checkpoint("archive/data.pkl", []byte{0x80, 2, '}', '.'}), "is empty"},
		{"deep marks", checkpoint("archive/data.pkl", bytes.Repeat([]byte{'('}, 20000)), "nested marks"},
		{"setitem on list", checkpoint("archive/data.pkl", []byte{0x80, 2, ']', 'N', 'N', 's', '.'}), "SETITEM on a list"},
		{"bad persid", checkpoint("archive/data.pkl", []byte{0x80, 2, 'N', 'Q', '.'}), "persistent id"},
		{"unsupported storage", checkpoint("archive/data.pkl", []byte("\x80\x02ctorch\nComplexFloatStorage\n.")), "torch.ComplexFloatStorage is not supported"},
		{"legacy", append(slices.Clone([]byte("\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.")), 0), "legacy format"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			err := read(c.data)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error containing %q", err, c.want)
			}
		})
	}
	// A zip without data.pkl is some other format, for the caller to try.
	if err := read(checkpoint("model.weights.h5", four)); !errors.Is(err, pytorch.ErrNotCheckpoint) {
		t.Errorf("no data.pkl: %v, want ErrNotCheckpoint", err)
	}
}

// FuzzRead: whole files, the zip container included, never panic, and
// what reads has the data its shapes promise.
func FuzzRead(f *testing.F) {
	f.Add(checkpoint("archive/data.pkl", stateDict("w", 6, 1, []int{2, 2}, []int{1, 2}), "archive/data/0", floats(0, 1, 2, 3, 4, 5)))
	f.Add(checkpoint("archive/data.pkl", stateDict("w", 4, 0, []int{4}, []int{1})))
	f.Add([]byte("\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19."))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		check(t, data)
	})
}

// FuzzPickle runs the unpickler on arbitrary programs inside a valid
// archive with one 6-element float32 storage, so that the fuzzer explores
// the pickle machine rather than zip checksums.
func FuzzPickle(f *testing.F) {
	f.Add(stateDict("w", 6, 1, []int{2, 2}, []int{1, 2}))
	f.Add(stateDict("w", 6, 0, []int{6}, []int{1}))
	f.Add((&pk{}).op(0x80, 2, '}').str("state_dict").op(0x80, 2).global("collections", "OrderedDict").op(')', 'R').op('s', '.').Bytes())
	f.Add([]byte{0x80, 4, 0x95, 0, 0, 0, 0, 0, 0, 0, 0, '}', 0x94, '.'})
	f.Fuzz(func(t *testing.T, pkl []byte) {
		if len(pkl) > 1<<14 {
			return
		}
		check(t, checkpoint("archive/data.pkl", pkl, "archive/data/0", floats(0, 1, 2, 3, 4, 5)))
	})
}

func check(t *testing.T, data []byte) {
	f, err := pytorch.Read(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return
	}
	for _, x := range f.Tensors {
		n := 1
		for _, d := range x.Shape {
			n *= d
		}
		if x.IsWeight() && len(x.Data) != n {
			t.Fatalf("%s: shape %v but %d values", x.Name, x.Shape, len(x.Data))
		}
	}
}
