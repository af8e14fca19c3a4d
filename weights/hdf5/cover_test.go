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
}
