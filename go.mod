module github.com/resc-dev/resc

go 1.26.8

require (
	github.com/alecthomas/participle/v2 v2.1.4
	github.com/rogpeppe/go-internal v1.16.0
)

require google.golang.org/protobuf v1.36.11

require github.com/yalue/onnxruntime_go v1.27.0

require (
	github.com/google/go-cmp v0.7.0
	golang.org/x/sys v0.26.0
	golang.org/x/tools v0.26.0 // indirect
)
