package hdf5

import (
	"fmt"
	"testing"
)

// TestFixturesCover checks that the fixtures exercise what they are
// meant to: each superblock version, object headers of both versions,
// continuation blocks.
func TestFixturesCover(t *testing.T) {
	for _, c := range []struct {
		file       string
		superblock byte
		header     string
	}{
		{"features_earliest.h5", 0, "v1"},
		{"features_latest.h5", 3, "v2"},
		{"small_earliest.h5", 0, "v1"},
		{"small_latest.h5", 3, "v2"},
		{"small_offsets4.h5", 0, "v1"},
		{"small_v108.h5", 2, "v2"},
	} {
		f := readFixture(t, c.file)
		if v := f.data[8]; v != c.superblock {
			t.Errorf("%s: superblock version %d, want %d", c.file, v, c.superblock)
		}
		var continued int
		err := f.Walk(func(p string, o *Object) error {
			if b, _ := f.at(o.addr, 4, ""); (string(b) == "OHDR") != (c.header == "v2") {
				return fmt.Errorf("%q: not a %s object header", p, c.header)
			}
			continued += o.blocks - 1
			return nil
		})
		if err != nil {
			t.Errorf("%s: %v", c.file, err)
		}
		if continued == 0 {
			t.Errorf("%s: no continuation block read", c.file)
		}
	}

	// Each chunk index: 0 the v1 B-tree, 1 single chunk, 2 implicit, 3
	// fixed array (paged when over 1024 chunks), 4 extensible array, 5 the v2
	// B-tree.
	for _, c := range []struct {
		file    string
		indexes map[string]uint8
	}{
		{"features_earliest.h5", map[string]uint8{"chunked_edges": 0, "chunked_early": 0}},
		{"features_latest.h5", map[string]uint8{
			"one_chunk": 1, "one_chunk_deflate": 1, "chunked_early": 2, "chunked_edges": 3, "many_chunks": 3,
			"unlimited1": 4, "unlimited1_many": 4, "unlimited2": 5, "unlimited2_deflate": 5,
		}},
	} {
		f := readFixture(t, c.file)
		root, err := f.Root()
		if err != nil {
			t.Fatal(err)
		}
		for name, want := range c.indexes {
			o, err := root.Open("data/" + name)
			if err != nil {
				t.Fatal(err)
			}
			m, _ := o.message(msgLayout)
			d := f.decoder(m.data, "layout")
			version := d.u8()
			d.u8() // class
			shape, _ := o.Shape()
			dt, _ := o.Datatype()
			ci, err := f.parseChunked(d, version, dt.Size, len(shape))
			if err != nil || ci.kind != want {
				t.Errorf("%s: %s: chunk index %v, %v; want %d", c.file, name, ci, err, want)
			}
		}
	}
}
