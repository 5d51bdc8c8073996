// Command rubric analyses Python/Django code and writes findings and a
// reviewer checklist. See README.md.
package main

import (
	"os"

	"github.com/rubric-dev/rubric/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
