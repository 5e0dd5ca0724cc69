// Package jsonread is the JSON reading toolkit that the JSON adapters
// (OOAPI, Edu-API, OCCAPI) share: a one-pass Reader for the well-formed
// pages that are nearly all of a harvest, cheap scanners for small values,
// and lenient value types (Number, Strings, ParseTime, HTTPURL) for the
// sloppy data real servers publish.
//
// It knows nothing of the adapter contract (package source): it reads
// bytes into Go values and reports what it could not read; the adapters
// turn that into warnings.
package jsonread
