package ort

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ORTVersion is the onnxruntime release whose C API the onnxruntime_go
// wrapper is written against; the shared library must be this version.
const ORTVersion = "1.24.1"

// LibraryEnv is the environment variable that names the onnxruntime shared
// library when no --ort-lib flag does.
const LibraryEnv = "ONNXRUNTIME_LIB"

// installHint tells the user how to get the library.
const installHint = "install onnxruntime " + ORTVersion + " with scripts/install-onnxruntime.sh, " +
	"or set " + LibraryEnv + " (or --ort-lib) to the path of libonnxruntime.so.1 from onnxruntime " + ORTVersion

// ErrNoCgo is the error of NewSession, InitRuntime and ReadModelMetadata in
// a resc built without cgo: onnxruntime_go needs it to load the library.
var ErrNoCgo = errors.New("this resc was built without cgo (CGO_ENABLED=0, or no C compiler), and running models with onnxruntime needs it; rebuild with a C compiler installed (on Debian: apt-get install gcc)")

// DefaultLibraryPath is where scripts/install-onnxruntime.sh installs the
// library: $XDG_CACHE_HOME/resc/onnxruntime-1.24.1/libonnxruntime.so.1, or
// ~/.cache/resc/... when XDG_CACHE_HOME is unset. It returns "" when neither
// XDG_CACHE_HOME nor HOME is set.
func DefaultLibraryPath() string {
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home := os.Getenv("HOME")
		if home == "" {
			return ""
		}
		cache = filepath.Join(home, ".cache")
	}
	return filepath.Join(cache, "resc", "onnxruntime-"+ORTVersion, "libonnxruntime.so.1")
}

// A LibraryError says that the onnxruntime shared library was not found, and
// how to install it.
type LibraryError struct {
	Path   string // the path looked at; "" when there was none to look at
	Source string // where Path came from: "--ort-lib", "$ONNXRUNTIME_LIB" or "default location"
	Err    error  // why the path was rejected
}

func (e *LibraryError) Error() string {
	var b strings.Builder
	b.WriteString("onnxruntime library not found")
	switch {
	case e.Path == "":
		b.WriteString(" (no HOME or XDG_CACHE_HOME to find its default location)")
	case e.Source == "default location":
		fmt.Fprintf(&b, " at its default location %s", e.Path)
	default:
		fmt.Fprintf(&b, ": %s names %s", e.Source, e.Path)
		if e.Err != nil {
			fmt.Fprintf(&b, " (%s)", ortErrText(e.Err))
		}
	}
	b.WriteString("; ")
	b.WriteString(installHint)
	return b.String()
}

func (e *LibraryError) Unwrap() error { return e.Err }

func ortErrText(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		err = pe.Err
	}
	return err.Error()
}

// FindLibrary returns the onnxruntime shared library to load: flagPath when
// it is not empty, else $ONNXRUNTIME_LIB when set, else DefaultLibraryPath.
// The first of these that is set must name an existing file; otherwise the
// error is a *LibraryError saying how to install the library.
func FindLibrary(flagPath string) (string, error) {
	path, source := flagPath, "--ort-lib"
	if path == "" {
		path, source = os.Getenv(LibraryEnv), "$"+LibraryEnv
	}
	if path == "" {
		path, source = DefaultLibraryPath(), "default location"
		if path == "" {
			return "", &LibraryError{Source: source}
		}
	}
	info, err := os.Stat(path)
	if err != nil {
		return "", &LibraryError{Path: path, Source: source, Err: err}
	}
	if info.IsDir() {
		return "", &LibraryError{Path: path, Source: source, Err: fmt.Errorf("a directory, not a file")}
	}
	return path, nil
}

func ortSameFile(a, b string) bool {
	if a == b {
		return true
	}
	ia, err1 := os.Stat(a)
	ib, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(ia, ib)
}
