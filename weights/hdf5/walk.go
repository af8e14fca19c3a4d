package hdf5

import "fmt"

// Walk calls visit for every object reachable from the root, depth first
// in name order, with its path ("a/b/c"; "" for the root). A group reached
// again through another link is visited there too, but a group that
// contains itself (a cycle) is an error, as is nesting deeper than 64.
func (f *File) Walk(visit func(path string, o *Object) error) error {
	root, err := f.Root()
	if err != nil {
		return err
	}
	onPath := map[uint64]bool{}
	visited := 0
	var walk func(path string, o *Object, depth int) error
	walk = func(path string, o *Object, depth int) error {
		if visited++; visited > maxLinks {
			return fmt.Errorf("more than %d objects", maxLinks)
		}
		if err := visit(path, o); err != nil {
			return err
		}
		if !o.IsGroup() {
			return nil
		}
		if depth >= maxDepth {
			return fmt.Errorf("%s: groups nested deeper than %d", path, maxDepth)
		}
		onPath[o.addr] = true
		defer delete(onPath, o.addr)
		links, err := o.Links()
		if err != nil {
			return err
		}
		for _, l := range links {
			p := l.Name
			if path != "" {
				p = path + "/" + l.Name
			}
			if onPath[l.addr] {
				return fmt.Errorf("%s: the link leads back to an enclosing group (a cycle)", p)
			}
			c, err := f.object(l.addr)
			if err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
			if err := walk(p, c, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return walk("", root, 0)
}
