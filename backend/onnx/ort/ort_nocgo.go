//go:build !cgo

package ort

import "os"

// Without cgo there is no onnxruntime: onnxruntime_go loads the library
// through the C dynamic loader. Everything else in the package works.

// ortSession stands in for onnxruntime_go's session, which needs cgo.
type ortSession struct{}

func errNoCgo() error { return ErrNoCgo }

// InitRuntime finds the library as the cgo build does, then reports that
// this build cannot load it.
func InitRuntime(flagPath string) (string, error) {
	if _, err := FindLibrary(flagPath); err != nil {
		return "", err
	}
	return "", errNoCgo()
}

// RuntimeVersion is "": no onnxruntime is ever loaded without cgo.
func RuntimeVersion() string { return "" }

// NewSession checks the model and the library, then reports that this
// build cannot run onnxruntime.
func NewSession(model []byte, opts SessionOptions) (*Session, error) {
	if _, err := ortModelIO(model); err != nil {
		return nil, err
	}
	_, err := InitRuntime(opts.LibPath)
	return nil, err
}

// Run, Close and Metadata exist for the API; no Session is ever created
// without cgo.
func (s *Session) Run(input []float32, shape []int64) ([]float32, []int64, error) {
	return nil, nil, errNoCgo()
}

func (s *Session) RunAll(input []float32, shape []int64) ([]Output, error) {
	return nil, errNoCgo()
}

func (s *Session) Close() error { return nil }

func (s *Session) Metadata() (*ModelMetadata, error) { return nil, errNoCgo() }

// ReadModelMetadata reports that this build cannot run onnxruntime.
func ReadModelMetadata(modelPath, libPath string) (*ModelMetadata, error) {
	_, err := InitRuntime(libPath)
	return nil, err
}

// NewSessionFile checks the model file and the library, then reports that
// this build cannot run onnxruntime.
func NewSessionFile(path string, opts SessionOptions) (*Session, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if _, err := fileModelIO(f); err != nil {
		return nil, err
	}
	_, err = InitRuntime(opts.LibPath)
	return nil, err
}
