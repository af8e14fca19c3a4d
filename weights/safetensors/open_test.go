package safetensors

import (
	"bytes"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// openAll opens data written to a file and reads every tensor, as a File.
func openAll(t *testing.T, data []byte) (*File, error) {
	path := filepath.Join(t.TempDir(), "w.safetensors")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path)
	if err != nil {
		if !strings.HasPrefix(err.Error(), path+": ") {
			t.Fatalf("error %q does not name the file", err)
		}
		return nil, errors.New(strings.TrimPrefix(err.Error(), path+": "))
	}
	defer r.Close()
	f := &File{Metadata: r.Metadata}
	for i := range r.Entries {
		tensor, err := r.Tensor(&r.Entries[i])
		if err != nil {
			t.Fatalf("accepted, but tensor %q does not read: %v", r.Entries[i].Name, err)
		}
		f.Tensors = append(f.Tensors, tensor)
	}
	return f, nil
}

// sameTensors compares two files exactly: dtypes, floats bit for bit, raw
// bytes.
func sameTensors(a, b *File) bool {
	if !reflect.DeepEqual(a.Metadata, b.Metadata) || len(a.Tensors) != len(b.Tensors) {
		return false
	}
	for i := range a.Tensors {
		x, y := &a.Tensors[i], &b.Tensors[i]
		if x.Name != y.Name || x.DType != y.DType || !reflect.DeepEqual(x.Shape, y.Shape) ||
			!bytes.Equal(x.Raw, y.Raw) || (x.Raw == nil) != (y.Raw == nil) ||
			len(x.Data) != len(y.Data) || (x.Data == nil) != (y.Data == nil) {
			return false
		}
		for j := range x.Data {
			if math.Float32bits(x.Data[j]) != math.Float32bits(y.Data[j]) {
				return false
			}
		}
	}
	return true
}

func TestOpenMatchesRead(t *testing.T) {
	tensors, meta := sample()
	valid, err := Encode(tensors, meta)
	if err != nil {
		t.Fatal(err)
	}
	mixed := rawFile(`{"h":{"dtype":"F16","shape":[1],"data_offsets":[0,2]},"b":{"dtype":"BF16","shape":[1],"data_offsets":[2,4]},"d":{"dtype":"F64","shape":[],"data_offsets":[4,12]},"u":{"dtype":"U8","shape":[2,1],"data_offsets":[12,14]}}`,
		[]byte{0, 0x3c, 0x80, 0x3f, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 7, 9})
	// A tensor larger than one chunk, of every float dtype.
	var big []Tensor
	for _, d := range []DType{F32, F16, BF16, F64} {
		n := chunkBytes/(d.Bits()/8) + 3
		raw := make([]byte, n*d.Bits()/8)
		for i := range raw {
			raw[i] = byte(i*7 + len(d))
		}
		big = append(big, Tensor{Name: string(d), DType: d, Shape: []int{n}, Raw: raw})
	}
	bigFile := rawEncode(t, big)
	for name, data := range map[string][]byte{
		"valid": valid, "mixed": mixed, "big": bigFile, "truncated": valid[:len(valid)-1],
		"short": valid[:5], "empty": nil,
	} {
		want, werr := Read(data)
		got, gerr := openAll(t, data)
		if (werr == nil) != (gerr == nil) || (werr != nil && werr.Error() != gerr.Error()) {
			t.Errorf("%s: Read says %v, Open says %v", name, werr, gerr)
			continue
		}
		if werr == nil && !sameTensors(want, got) {
			t.Errorf("%s: Open read other tensors than Read", name)
		}
	}
}

// rawEncode lays out tensors given by their raw bytes in any dtype, as a
// file of another writer would (Encode writes floats only as F32).
func rawEncode(t *testing.T, ts []Tensor) []byte {
	var hdr strings.Builder
	var data []byte
	hdr.WriteString("{")
	for i, x := range ts {
		if i > 0 {
			hdr.WriteString(",")
		}
		begin := len(data)
		data = append(data, x.Raw...)
		hdr.WriteString(`"` + x.Name + `":{"dtype":"` + string(x.DType) + `","shape":` + FormatShape(x.Shape) +
			`,"data_offsets":[` + strconv.Itoa(begin) + "," + strconv.Itoa(len(data)) + "]}")
	}
	hdr.WriteString("}")
	return rawFile(hdr.String(), data)
}

// TestOpenTruncatedLater: a file cut short after Open fails the read of a
// tensor past the cut with an error naming the file and the tensor.
func TestOpenTruncatedLater(t *testing.T) {
	tensors, meta := sample()
	data, err := Encode(tensors, meta)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "w.safetensors")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := os.Truncate(path, int64(len(data)-4)); err != nil {
		t.Fatal(err)
	}
	failed := 0
	for i := range r.Entries {
		e := &r.Entries[i]
		_, err := r.Tensor(e)
		if err == nil {
			continue
		}
		failed++
		want := "reading " + path + ": tensor " + `"` + e.Name + `": unexpected EOF`
		if err.Error() != want || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("got %q, want %q", err, want)
		}
	}
	if failed != 1 {
		t.Errorf("%d tensors failed to read, want the last one", failed)
	}
}

func TestOpenNotRegular(t *testing.T) {
	if _, err := Open(t.TempDir()); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("Open(folder) = %v", err)
	}
}

// FuzzOpen checks that Open, then reading every tensor, accepts exactly
// the files Read accepts, with the same error and the same values.
func FuzzOpen(f *testing.F) {
	tensors, meta := sample()
	valid, err := Encode(tensors, meta)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Add(valid[:len(valid)-1])
	f.Add(valid[:20])
	f.Add([]byte{})
	f.Add(rawFile(`{"h":{"dtype":"F16","shape":[1],"data_offsets":[0,2]},"u":{"dtype":"U8","shape":[2],"data_offsets":[2,4]}}`, []byte{0, 0x3c, 7, 9}))
	f.Add(rawFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, make([]byte, 8)))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64<<10 {
			return // as FuzzRead: the corner cases fit in a few kilobytes
		}
		want, werr := Read(data)
		got, gerr := openAll(t, data)
		if (werr == nil) != (gerr == nil) || (werr != nil && werr.Error() != gerr.Error()) {
			t.Fatalf("Read says %v, Open says %v", werr, gerr)
		}
		if werr == nil && !sameTensors(want, got) {
			t.Fatal("Open read other tensors than Read")
		}
	})
}
