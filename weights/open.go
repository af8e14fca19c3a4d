package weights

import (
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"sync"

	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/weights/onnxweights"
	"github.com/resc-dev/resc/weights/safetensors"
)

// Open is Load without holding the weights in memory: for a safetensors
// file it reads and checks the header, then every tensor once, one at a
// time (names, shapes, dtypes and values are checked as Load checks
// them, with the same *MismatchError), and keeps only the open file. The
// Source it returns reads and decodes a parameter's tensor again each
// time its Values are asked for, and keeps nothing, so that a backend
// holds the only copy of the weights. Values may be called concurrently.
//
// If a read fails later (the file was truncated or changed after Open
// checked it), Values returns nil and the source keeps the error, which
// Err reports.
//
// The source owns the file, which is closed when the source becomes
// unreachable (runtime.AddCleanup): a Compiled model may use its weights
// any number of times, so there is no last use to close it at.
//
// Other formats (PyTorch checkpoints, Keras HDF5, ONNX initializers) are
// decoded whole by their readers anyway: for them Open returns Load's Set.
func Open(g *ir.Graph, path string) (Source, error) {
	format, err := detect(path)
	if err == nil && format != safetensorsFormat {
		return Load(g, path)
	}
	var r *safetensors.Reader
	if err == nil {
		r, err = safetensors.Open(path)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return nil, fmt.Errorf("cannot read %s: %v", path, pe.Err)
	}
	if err != nil {
		return nil, err
	}
	m := matchNames(g, r.Entries, r.Metadata, path)
	s := &fileSource{r: r, bind: m.bind}
	err = m.checkValues(s.read)
	if err == nil {
		err = m.err()
	}
	if err != nil {
		r.Close()
		if e, ok := err.(*MismatchError); ok && e.Hint == "" {
			e.Hint = onnxweights.Hint(&safetensors.File{Metadata: r.Metadata}, e.Missing, e.Unexpected)
		}
		return nil, err
	}
	runtime.AddCleanup(s, func(r *safetensors.Reader) { r.Close() }, r)
	return s, nil
}

// A fileSource gives the values of a checked safetensors file, read on
// demand.
type fileSource struct {
	r    *safetensors.Reader
	bind map[string]binding

	mu  sync.Mutex
	err error // the first read that failed after the check
}

// read reads and decodes p's tensor, in the IR's layout.
func (s *fileSource) read(p *ir.Param, b binding) ([]float32, error) {
	v, err := s.r.Float32s(&s.r.Entries[b.index])
	runtime.KeepAlive(s) // its cleanup must not close the file mid-read
	if err != nil {
		return nil, err
	}
	if b.keras {
		v = fromKeras(v, p.Shape)
	}
	return v, nil
}

// Values reads p's values again, checking them again: a file changed
// since Open must not give NaNs silently.
func (s *fileSource) Values(p *ir.Param) []float32 {
	b, ok := s.bind[p.Name]
	if !ok {
		return nil
	}
	v, err := s.read(p, b)
	if err == nil {
		if msg := badValues(p, v); msg != "" {
			err = fmt.Errorf("%s: %q: %s", s.r.Path(), p.Name, msg)
		}
	}
	if err != nil {
		s.mu.Lock()
		if s.err == nil {
			s.err = fmt.Errorf("%w; was the file changed after it was checked?", err)
		}
		s.mu.Unlock()
		return nil
	}
	return v
}

// Err is the first failed read.
func (s *fileSource) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Err says why s gave no values for a parameter, when it knows: a source
// from Open keeps the error of a read that failed after the file was
// checked. It sees through Resolve. Backends report it instead of a bare
// "no values".
func Err(s Source) error {
	if r, ok := s.(*resolved); ok {
		return Err(r.base)
	}
	if e, ok := s.(interface{ Err() error }); ok {
		return e.Err()
	}
	return nil
}
