// Command verify checks the ledger's transparency log with Go's golang.org/x/mod/sumdb/note and sumdb/tlog:
// a signed checkpoint (C2SP tlog-checkpoint in a signed note), an inclusion proof of a leaf in it, and a
// consistency proof from an older checkpoint. It reads one JSON document on stdin and exits 0 only if every
// check holds; otherwise it prints what failed and exits 1.
package main

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type inclusion struct {
	Leaf      string   `json:"leaf"`
	LeafIndex int64    `json:"leaf_index"`
	TreeSize  int64    `json:"tree_size"`
	Proof     []string `json:"proof"`
}

type consistency struct {
	From  int64    `json:"from"`
	To    int64    `json:"to"`
	Proof []string `json:"proof"`
}

type input struct {
	Key           string       `json:"key"`
	Checkpoint    string       `json:"checkpoint"`
	OldCheckpoint string       `json:"old_checkpoint"`
	Inclusion     *inclusion   `json:"inclusion"`
	Consistency   *consistency `json:"consistency"`
}

type checkpoint struct {
	origin string
	size   int64
	root   tlog.Hash
}

func openCheckpoint(text string, verifier note.Verifier) (checkpoint, error) {
	var c checkpoint
	n, err := note.Open([]byte(text), note.VerifierList(verifier))
	if err != nil {
		return c, fmt.Errorf("checkpoint signature: %w", err)
	}
	lines := strings.SplitN(n.Text, "\n", 4)
	if len(lines) < 4 {
		return c, errors.New("checkpoint: want an origin, a size and a root hash line")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 {
		return c, fmt.Errorf("checkpoint size %q", lines[1])
	}
	raw, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(raw) != tlog.HashSize {
		return c, fmt.Errorf("checkpoint root %q", lines[2])
	}
	c.origin, c.size = lines[0], size
	copy(c.root[:], raw)
	return c, nil
}

func hashes(encoded []string) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(encoded))
	for i, text := range encoded {
		raw, err := base64.StdEncoding.DecodeString(text)
		if err != nil || len(raw) != tlog.HashSize {
			return nil, fmt.Errorf("proof hash %d is not a base64 SHA-256 hash", i)
		}
		copy(out[i][:], raw)
	}
	return out, nil
}

func run() error {
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		return fmt.Errorf("input: %w", err)
	}
	verifier, err := note.NewVerifier(strings.TrimSpace(in.Key))
	if err != nil {
		return fmt.Errorf("verifier key: %w", err)
	}
	latest, err := openCheckpoint(in.Checkpoint, verifier)
	if err != nil {
		return err
	}
	fmt.Printf("checkpoint %s size %d verified\n", latest.origin, latest.size)
	if in.Inclusion != nil {
		leaf, err := base64.StdEncoding.DecodeString(in.Inclusion.Leaf)
		if err != nil {
			return errors.New("leaf: not base64")
		}
		proof, err := hashes(in.Inclusion.Proof)
		if err != nil {
			return err
		}
		if in.Inclusion.TreeSize != latest.size {
			return fmt.Errorf("inclusion proof for size %d, checkpoint of size %d", in.Inclusion.TreeSize, latest.size)
		}
		err = tlog.CheckRecord(proof, latest.size, latest.root, in.Inclusion.LeafIndex, tlog.RecordHash(leaf))
		if err != nil {
			return fmt.Errorf("inclusion of leaf %d: %w", in.Inclusion.LeafIndex, err)
		}
		fmt.Printf("leaf %d included\n", in.Inclusion.LeafIndex)
	}
	if in.Consistency != nil {
		old, err := openCheckpoint(in.OldCheckpoint, verifier)
		if err != nil {
			return fmt.Errorf("old %w", err)
		}
		proof, err := hashes(in.Consistency.Proof)
		if err != nil {
			return err
		}
		if in.Consistency.From != old.size || in.Consistency.To != latest.size || old.origin != latest.origin {
			return errors.New("consistency proof sizes or origins do not match the checkpoints")
		}
		if err := tlog.CheckTree(proof, latest.size, latest.root, old.size, old.root); err != nil {
			return fmt.Errorf("consistency from %d to %d: %w", old.size, latest.size, err)
		}
		fmt.Printf("size %d extends size %d\n", latest.size, old.size)
	}
	return nil
}

func main() {
	if err := run(); err != nil {
		fmt.Println("FAILED:", err)
		os.Exit(1)
	}
}
