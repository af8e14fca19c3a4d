package hdf5

import "fmt"

// denseLinks lists the links a link info message keeps in a fractal heap
// (dense storage), none when the group's links are compact.
func (f *File) denseLinks(b []byte) ([]Link, error) {
	d := f.decoder(b, "link info message")
	if v := d.u8(); d.err == nil && v != 0 {
		return nil, fmt.Errorf("link info message version %d, want 0", v)
	}
	flags := d.u8()
	if flags&1 != 0 {
		d.skip(8) // maximum creation index
	}
	heap := d.addr()
	d.addr() // name index
	if d.err != nil {
		return nil, d.err
	}
	if heap == undef {
		return nil, nil
	}
	return nil, fmt.Errorf("dense link storage (fractal heap at %d) is not supported yet", heap)
}

// denseAttrs lists the attributes an attribute info message keeps in a
// fractal heap, none when they are all in the header.
func (f *File) denseAttrs(b []byte) ([]*Attr, error) {
	d := f.decoder(b, "attribute info message")
	if v := d.u8(); d.err == nil && v != 0 {
		return nil, fmt.Errorf("attribute info message version %d, want 0", v)
	}
	flags := d.u8()
	if flags&1 != 0 {
		d.skip(2) // maximum creation index
	}
	heap := d.addr()
	d.addr() // name index
	if d.err != nil {
		return nil, d.err
	}
	if heap == undef {
		return nil, nil
	}
	return nil, fmt.Errorf("dense attribute storage (fractal heap at %d) is not supported yet", heap)
}
