// Command parse counts the triples of an RDF file with qlink's parsers,
// the Go counterpart of `rapper -c`. It prints one line:
//
//	<triples> <seconds> <triples/s> <peak RSS MB>
//
// Usage: parse [-cpuprofile f] FILE (format from the extension).
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"runtime/pprof"
	"syscall"
	"time"

	"qlink/internal/rdf"
	"qlink/internal/rdf/rdfio"
)

func main() {
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	flag.Parse()
	if flag.NArg() != 1 {
		log.Fatal("usage: parse [-cpuprofile f] FILE")
	}
	name := flag.Arg(0)
	format, ok := rdf.DetectFormat("", name)
	if !ok {
		log.Fatalf("unknown format for %s", name)
	}
	f, err := os.Open(name)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	if *cpuprofile != "" {
		pf, err := os.Create(*cpuprofile)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(pf); err != nil {
			log.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	start := time.Now()
	var n int64
	err = rdfio.Parse(f, format, rdf.Options{Base: "file:///bench/" + name}, func(rdf.Quad) error {
		n++
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	secs := time.Since(start).Seconds()
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	fmt.Printf("%d %.3f %.0f %.1f\n", n, secs, float64(n)/secs, float64(ru.Maxrss)/1024)
}
