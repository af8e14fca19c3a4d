package hdf5

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The fixtures are written by h5py (testdata/write_fixtures.py); every
// dataset holds 0, 1, 2, ... in its shape.

func readFixture(t *testing.T, name string) *File {
	t.Helper()
	f, err := ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestFeatures(t *testing.T) {
	for _, name := range []string{"features_earliest.h5", "features_latest.h5"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			checkFeatures(t, filepath.Join("testdata", name))
		})
	}
}

// checkFeatures reads a file write_fixtures.py's features() wrote.
func checkFeatures(t *testing.T, path string) *File {
	t.Helper()
	want := map[string][]int{
		"contiguous_f32":     {2, 3, 4},
		"contiguous_f64be":   {3, 2},
		"contiguous_f16":     {10},
		"scalar":             nil,
		"compact_f32be":      {2, 3},
		"chunked_edges":      {5, 7, 11},
		"deflate_shuffle":    {5, 7, 11},
		"one_chunk_deflate":  {10},
		"fletcher32":         {10},
		"many_chunks":        {3000},
		"one_chunk":          {10},
		"chunked_early":      {5, 7, 11},
		"unlimited2":         {5, 7},
		"unlimited2_deflate": {5, 7},
	}
	f, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	root, err := f.Root()
	if err != nil {
		t.Fatal(err)
	}
	for ds, shape := range want {
		o, err := root.Open("data/" + ds)
		if err != nil {
			t.Fatal(err)
		}
		v, got, err := o.Float32s()
		if err != nil {
			t.Fatalf("%s: %v", ds, err)
		}
		if !slices.Equal(got, shape) {
			t.Errorf("%s: shape %v, want %v", ds, got, shape)
		}
		for i, x := range v {
			if x != float32(i) {
				t.Errorf("%s: value %d is %v", ds, i, x)
				break
			}
		}
		if n, _ := count(shape, 1<<40); int64(len(v)) != n {
			t.Errorf("%s: %d values, want %d", ds, len(v), n)
		}
	}
	strs := map[string][]string{
		"fixed":         {"alpha", "be", ""},
		"varlen":        {"one", "two", "three"},
		"scalar_varlen": {"tensorflow"},
	}
	for name, w := range strs {
		a, err := root.Attr(name)
		if err != nil || a == nil {
			t.Fatalf("attribute %s: %v", name, err)
		}
		s, err := a.Strings()
		if err != nil || !slices.Equal(s, w) {
			t.Errorf("attribute %s: %q, %v; want %q", name, s, err, w)
		}
	}
	if a, err := root.Attr("empty"); err != nil || a == nil || !slices.Equal(a.Shape, []int{0}) {
		t.Errorf("attribute empty: %v, %v", a, err)
	}
	many, err := root.Open("many")
	if err != nil {
		t.Fatal(err)
	}
	links, err := many.Links()
	if err != nil || len(links) != 20 || links[19].Name != "member_19" {
		t.Errorf("many: %d links, %v", len(links), err)
	}
	attrs, err := many.Attrs()
	if err != nil || len(attrs) != 12 {
		t.Fatalf("many: %d attributes, %v", len(attrs), err)
	}
	if s, err := attrs[11].Strings(); err != nil || s[0] != "value 11" {
		t.Errorf("many: attribute %s = %q, %v", attrs[11].Name, s, err)
	}
	return f
}

// readAll reads everything a reader can: every object, attribute and
// dataset, as a Keras reader would.
func readAll(data []byte, limit int64) error {
	f, err := Read(data)
	if err != nil {
		return err
	}
	f.MaxDataBytes = limit
	return f.Walk(func(path string, o *Object) error {
		attrs, err := o.Attrs()
		if err != nil {
			return err
		}
		for _, a := range attrs {
			if a.Type.Class == ClassString || a.Type.Class == ClassVarLen {
				if _, err := a.Strings(); err != nil {
					return err
				}
			}
		}
		if o.IsDataset() {
			if _, _, err := o.Float32s(); err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
		}
		return nil
	})
}

func TestCycle(t *testing.T) {
	data, err := os.ReadFile("testdata/cycle.h5")
	if err != nil {
		t.Fatal(err)
	}
	err = readAll(data, 1<<20)
	if err == nil || !strings.Contains(err.Error(), "cycle") {
		t.Fatalf("got %v, want a cycle error", err)
	}
}

func TestNotHDF5(t *testing.T) {
	if _, err := Read([]byte("PK\x03\x04 not hdf5")); !errors.Is(err, ErrNotHDF5) {
		t.Fatalf("got %v", err)
	}
}

// TestTruncated cuts the small files at every length: each prefix is an
// error, never a panic; first as cut, when the superblock's end-of-file
// address tells, then with that address set to the cut, so that the
// structures the cut breaks must tell.
func TestTruncated(t *testing.T) {
	for _, name := range []string{"small_earliest.h5", "small_latest.h5", "small_offsets4.h5", "small_v108.h5"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := readAll(data, 1<<20); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		step := 1
		if testing.Short() {
			step = 7
		}
		for n := 0; n < len(data); n += step {
			if err := readAll(data[:n:n], 1<<20); err == nil {
				t.Errorf("%s cut at %d of %d bytes: no error", name, n, len(data))
			}
			// The end of a file may be space no structure reads (the unused
			// entries of a B-tree node): cutting only zeros may go unseen.
			if n < 48 || !slices.ContainsFunc(data[n:], func(b byte) bool { return b != 0 }) {
				continue
			}
			if err := readAll(setEOF(data[:n:n]), 1<<20); err == nil {
				t.Errorf("%s cut at %d of %d bytes, end-of-file address set to match: no error", name, n, len(data))
			}
		}
	}
}

// setEOF returns a copy of a file (no user block) whose superblock's
// end-of-file address is its length.
func setEOF(data []byte) []byte {
	d := slices.Clone(data)
	put := func(at, size int, v uint64) {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], v)
		copy(d[at:at+size], b[:size])
	}
	n := uint64(len(d))
	switch d[8] {
	case 0, 1:
		o := int(d[13])
		at := 24 + 2*o // after the base and free-space addresses
		if d[8] == 1 {
			at += 4
		}
		put(at, o, n)
	case 2, 3:
		o := int(d[9])
		put(12+2*o, o, n) // after the base and extension addresses
		end := 12 + 4*o
		binary.LittleEndian.PutUint32(d[end:], lookup3(d[:end]))
	}
	return d
}

// TestCorrupt flips every byte of the small files in turn: whatever the
// result, no panic and no hang.
func TestCorrupt(t *testing.T) {
	for _, name := range []string{"small_earliest.h5", "small_latest.h5", "small_offsets4.h5", "small_v108.h5", "cycle.h5"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		step := 1
		if testing.Short() {
			step = 5
		}
		for i := 0; i < len(data); i += step {
			b := slices.Clone(data)
			b[i] ^= 0xFF
			readAll(b, 1<<20)
		}
	}
}

// TestMalformed checks the errors for specific damage.
func TestMalformed(t *testing.T) {
	early, err := os.ReadFile("testdata/small_earliest.h5")
	if err != nil {
		t.Fatal(err)
	}
	late, err := os.ReadFile("testdata/small_latest.h5")
	if err != nil {
		t.Fatal(err)
	}
	patch := func(data []byte, at int, b ...byte) []byte {
		d := slices.Clone(data)
		copy(d[at:], b)
		return d
	}
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"superblock version", patch(early, 8, 9), "superblock version 9 is not supported"},
		{"offset size", patch(early, 13, 3), "field size 3"},
		// Superblock 0: the root entry's header address is at 64.
		{"root address", patch(early, 64, 0, 0, 0, 0, 0, 0, 1), "past the end of the file"},
		{"root undefined", patch(early, 64, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF), "no address"},
		{"superblock checksum", patch(late, 20, 0x55), "superblock: checksum mismatch"},
		// Superblock 3: the root header address is at 36, the header at 48.
		{"header checksum", patch(late, 60, 0x55), "checksum mismatch"},
		{"short", early[:40], "truncated"},
	}
	for _, c := range cases {
		err := readAll(c.data, 1<<20)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		}
	}
}

// TestFletcher32 damages the second chunk of the fletcher32 dataset,
// [3 4 5]: the checksum must catch it.
func TestFletcher32(t *testing.T) {
	data, err := os.ReadFile("testdata/features_earliest.h5")
	if err != nil {
		t.Fatal(err)
	}
	var chunk []byte
	for _, v := range []float32{3, 4, 5} {
		chunk = binary.LittleEndian.AppendUint32(chunk, math.Float32bits(v))
	}
	six := binary.LittleEndian.AppendUint32(nil, math.Float32bits(6))
	at := -1
	for i := 0; i+len(chunk)+4 <= len(data); i++ {
		if bytes.Equal(data[i:i+len(chunk)], chunk) && !bytes.Equal(data[i+len(chunk):i+len(chunk)+4], six) {
			at = i
			break
		}
	}
	if at < 0 {
		t.Fatal("the chunk [3 4 5] is not in the file")
	}
	d := slices.Clone(data)
	d[at+5] ^= 1
	f, err := Read(d)
	if err != nil {
		t.Fatal(err)
	}
	root, _ := f.Root()
	o, err := root.Open("data/fletcher32")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := o.Float32s(); err == nil || !strings.Contains(err.Error(), "fletcher32: checksum mismatch") {
		t.Errorf("got %v, want a checksum mismatch", err)
	}
}

// TestDataLimit: a dataset over MaxDataBytes is refused before it is read.
func TestDataLimit(t *testing.T) {
	data, err := os.ReadFile("testdata/features_latest.h5")
	if err != nil {
		t.Fatal(err)
	}
	err = readAll(data, 1000)
	if err == nil || !strings.Contains(err.Error(), "more than") {
		t.Fatalf("got %v, want a size limit error", err)
	}
}

func FuzzRead(f *testing.F) {
	for _, name := range []string{"small_earliest.h5", "small_latest.h5", "small_offsets4.h5", "small_v108.h5", "cycle.h5"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		readAll(data, 1<<20)
	})
}

// ReadFile reads the HDF5 file at path, for the tests.
func ReadFile(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Read(data)
}
