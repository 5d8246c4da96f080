// Command purge removes from disk the targets that DELETE erased: a
// deleted link answers 410 and its target is gone from every answer, log
// and cache at once, but the bytes of the old row stay in the data files
// until later writes happen to reuse their space. Run it when a target
// must be gone from the disk now (a court order, leaked personal data).
//
//	purge              Postgres: VACUUM FULL every partition of short_link that
//	                   holds a deleted link, then CHECKPOINT
//	purge -embedded    the embedded store (as STORE=embedded): compact the file
//	                   in DATA_DIR into a fresh one; stop the api first
//	purge -dry-run     name what would be rewritten, and do nothing
//
// What it cannot reach (backups, archived WAL, replicas' disks, Redis
// persistence) and how long each keeps a copy: docs/security.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/shortlink/shortlink/adapters/bolt"
	"github.com/shortlink/shortlink/adapters/postgres"
	"github.com/shortlink/shortlink/app/config"
	"github.com/shortlink/shortlink/cmd/wiring/pgwiring"
)

func main() {
	embedded := flag.Bool("embedded", false, "purge the embedded store in DATA_DIR (same as STORE=embedded)")
	dryRun := flag.Bool("dry-run", false, "name what would be rewritten, and do nothing")
	lockTimeout := flag.Duration("lock-timeout", 10*time.Second, "Postgres: give up on a partition whose lock is not granted within this long (its lookups wait meanwhile)")
	flag.Parse()
	lookup := os.LookupEnv
	if *embedded {
		lookup = config.WithEmbeddedStore(lookup)
	}
	cfg, err := config.Load(lookup)
	if err == nil {
		err = run(os.Stdout, cfg, *dryRun, *lockTimeout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "purge:", err)
		os.Exit(1)
	}
}

func run(out io.Writer, cfg config.Config, dryRun bool, lockTimeout time.Duration) error {
	if cfg.Store == "embedded" {
		return purgeEmbedded(out, filepath.Join(cfg.DataDir, bolt.FileName), dryRun)
	}
	return purgePostgres(out, cfg, dryRun, lockTimeout)
}

func purgeEmbedded(out io.Writer, path string, dryRun bool) error {
	if dryRun {
		fmt.Fprintf(out, "would compact %s (the api must be stopped)\n", path)
		return nil
	}
	before, after, err := bolt.Compact(path)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "compacted %s: %s → %s; erased targets are no longer in it\n", path, mib(before), mib(after))
	return nil
}

func purgePostgres(out io.Writer, cfg config.Config, dryRun bool, lockTimeout time.Duration) error {
	store, err := postgres.Open(pgwiring.ToolOptions(cfg))
	if err != nil {
		return err
	}
	defer store.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	if dryRun {
		tables, err := store.ErasedTables(ctx)
		for _, t := range tables {
			fmt.Fprintf(out, "would rewrite %s (VACUUM FULL)\n", t)
		}
		if err == nil && len(tables) == 0 {
			fmt.Fprintln(out, "no partition holds a deleted link")
		}
		return err
	}
	purged, checkpointed, err := store.PurgeErased(ctx, lockTimeout)
	for _, t := range purged {
		fmt.Fprintf(out, "rewrote %s (VACUUM FULL): %s → %s\n", t.Name, mib(t.Before), mib(t.After))
	}
	if err != nil {
		return err
	}
	switch {
	case len(purged) == 0:
		fmt.Fprintln(out, "no partition holds a deleted link")
	case checkpointed:
		fmt.Fprintln(out, "checkpoint done: the old files are gone; the WAL segments that hold the old rows are recycled, and overwritten, as new WAL is written")
	default:
		fmt.Fprintln(out, "CHECKPOINT was refused (it needs the pg_checkpoint role): the old rows stay in the WAL until the next scheduled checkpoint (checkpoint_timeout)")
	}
	return nil
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
