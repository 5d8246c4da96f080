package porttest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// WorkspaceStore is a store of the workspace ports: links with owners and labels, keys,
// the listing and the audit log.
type WorkspaceStore interface {
	ports.LinkStore
	ports.KeyStore
	ports.KeyUsage
	ports.LinkLister
	ports.AuditLog
	ports.AuditedLinkStore
}

// WorkspaceStoreContract runs the contract of the workspace ports against
// fresh, empty stores made by newStore, one per rule; the real adapters
// and the in-memory fake must agree on it.
func WorkspaceStoreContract(t *testing.T, newStore func(t *testing.T) WorkspaceStore) {
	t.Helper()
	runRules(t, workspaceRules, newStore)
}

var workspaceRules = []rule[WorkspaceStore]{
	{"keys are found by id, listed by workspace, revoked once", keysAreFoundListedRevoked},
	{"a key of an unknown workspace is refused", keyOfUnknownWorkspaceIsRefused},
	{"touch moves last_used_at forward only", touchMovesLastUsedForward},
	{"links keep their owner and labels", linksKeepOwnerAndLabels},
	{"listing pages newest first by keyset, with every filter", listingPagesWithFilters},
	{"q finds a code prefix on a registered domain too, and rare states", listingFindsDomainCodesAndRareStates},
	{"tags are counted per workspace", tagsAreCounted},
	{"the audit log pages newest first, per workspace", auditPagesNewestFirst},
	{"an audited update stores its entries with the change, and none when refused", auditedUpdateStoresEntries},
}

func auditedUpdateStoresEntries(t *testing.T, s WorkspaceStore) {
	ctx := context.Background()
	insertOwned(t, s, "aud1", "wsa", t0, "")
	entries := func(current, next domain.ShortLink) []domain.AuditEntry {
		return []domain.AuditEntry{{At: t0, Workspace: next.Ownership().Workspace, Who: domain.WhoManageToken, Action: domain.AuditLinkDisabled, Target: string(next.Code())}}
	}
	if _, err := s.UpdateAudited(ctx, "aud1", t0, func(l domain.ShortLink) (domain.ShortLink, time.Time, error) {
		return domain.ShortLink{}, time.Time{}, domain.ErrGone
	}, entries); !errors.Is(err, domain.ErrGone) {
		t.Fatalf("a refused change = %v, want its error", err)
	}
	if got, _ := s.ListAudit(ctx, domain.AuditQuery{Scope: domain.WorkspaceScope{All: true}, Limit: 10}); len(got) != 0 {
		t.Fatalf("a refused change left audit entries: %+v", got)
	}
	if _, err := s.UpdateAudited(ctx, "aud1", t0, func(l domain.ShortLink) (domain.ShortLink, time.Time, error) {
		next, err := l.SetDisabled(true, domain.ActorOwner)
		return next, t0.Add(48 * time.Hour), err
	}, entries); err != nil {
		t.Fatal(err)
	}
	got, err := s.ListAudit(ctx, domain.AuditQuery{Scope: domain.WorkspaceScope{Workspace: "wsa"}, Limit: 10})
	if err != nil || len(got) != 1 || got[0].Target != "aud1" || got[0].Action != domain.AuditLinkDisabled {
		t.Fatalf("audit after the change = %+v, %v", got, err)
	}
	if link, _ := s.Find(ctx, "aud1", t0); link.State() != domain.StateDisabled {
		t.Fatal("the audited change did not apply")
	}
}

var t0 = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

func mustWorkspace(t *testing.T, s WorkspaceStore, name string) (domain.Workspace, domain.APIKey) {
	t.Helper()
	ws, err := domain.NewWorkspace(name, t0)
	if err != nil {
		t.Fatal(err)
	}
	key, _, err := domain.NewAPIKey(ws.ID, domain.RoleOwner, "first", t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateWorkspace(context.Background(), ws, key); err != nil {
		t.Fatalf("create workspace: %v", err)
	}
	return ws, key
}

func keysAreFoundListedRevoked(t *testing.T, s WorkspaceStore) {
	ctx := context.Background()
	ws, first := mustWorkspace(t, s, "a")
	other, _ := mustWorkspace(t, s, "b")
	viewer, _, _ := domain.NewAPIKey(ws.ID, domain.RoleViewer, "viewer", t0.Add(time.Second))
	if err := s.CreateKey(ctx, viewer); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindKey(ctx, viewer.ID)
	if err != nil || got.Workspace != ws.ID || got.Role != domain.RoleViewer || got.Name != "viewer" || got.Digest != viewer.Digest || !got.CreatedAt.Equal(viewer.CreatedAt) || got.Revoked() {
		t.Fatalf("FindKey = %+v, %v; want %+v", got, err, viewer)
	}
	if _, err := s.FindKey(ctx, "nosuchkey"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("FindKey of an unknown id = %v, want ErrNotFound", err)
	}
	keys, err := s.ListKeys(ctx, ws.ID)
	if err != nil || len(keys) != 2 || keys[0].ID != first.ID || keys[1].ID != viewer.ID {
		t.Fatalf("ListKeys = %v, %v; want the first key, then the viewer's", keys, err)
	}
	if all, _ := s.ListKeys(ctx, ""); len(all) != 3 {
		t.Fatalf("ListKeys of every workspace = %d keys, want 3", len(all))
	}
	if keys, _ := s.ListKeys(ctx, other.ID); len(keys) != 1 {
		t.Fatalf("ListKeys of the other workspace = %d keys, want 1", len(keys))
	}
	revoked, err := s.RevokeKey(ctx, viewer.ID, t0.Add(time.Hour))
	if err != nil || !revoked.RevokedAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("RevokeKey = %+v, %v", revoked, err)
	}
	again, err := s.RevokeKey(ctx, viewer.ID, t0.Add(2*time.Hour))
	if err != nil || !again.RevokedAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("a second RevokeKey = %+v, %v; want the first revocation kept", again, err)
	}
	if got, _ := s.FindKey(ctx, viewer.ID); !got.Revoked() || got.Matches(viewer.Digest) {
		t.Fatalf("a revoked key is found as %+v, still matching", got)
	}
	if _, err := s.RevokeKey(ctx, "nosuchkey", t0); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("RevokeKey of an unknown id = %v, want ErrNotFound", err)
	}
}

func keyOfUnknownWorkspaceIsRefused(t *testing.T, s WorkspaceStore) {
	key, _, _ := domain.NewAPIKey("nosuchworkspace", domain.RoleEditor, "k", t0)
	if err := s.CreateKey(context.Background(), key); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("CreateKey in an unknown workspace = %v, want ErrNotFound", err)
	}
}

func touchMovesLastUsedForward(t *testing.T, s WorkspaceStore) {
	ctx := context.Background()
	_, key := mustWorkspace(t, s, "a")
	for _, at := range []time.Time{t0.Add(time.Hour), t0.Add(time.Minute)} {
		if err := s.TouchKeys(ctx, map[domain.KeyID]time.Time{key.ID: at, "nosuchkey": at}); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := s.FindKey(ctx, key.ID); !got.LastUsedAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("last_used_at = %v, want %v (never backwards)", got.LastUsedAt, t0.Add(time.Hour))
	}
}

// insertOwned stores a link of ws (none: anonymous) created at, with labels.
func insertOwned(t *testing.T, s WorkspaceStore, code string, ws domain.WorkspaceID, at time.Time, title string, tags ...string) domain.ShortLink {
	t.Helper()
	link, err := domain.NewShortLink(domain.Code(code), "https://example.com/"+code, at, at.Add(24*time.Hour), domain.TokenDigest{1})
	if err != nil {
		t.Fatal(err)
	}
	link = link.Owned(domain.Ownership{Workspace: ws, Key: "key" + domain.KeyID(ws)}).Labelled(domain.Labels{Title: title, Tags: tags})
	stored, err := s.Insert(context.Background(), link, at.Add(48*time.Hour))
	if err != nil {
		t.Fatalf("insert %s: %v", code, err)
	}
	return stored
}

func linksKeepOwnerAndLabels(t *testing.T, s WorkspaceStore) {
	ctx := context.Background()
	insertOwned(t, s, "owned1", "wsa", t0, "A title", "a", "b")
	got, err := s.Find(ctx, "owned1", t0)
	if err != nil || got.Ownership() != (domain.Ownership{Workspace: "wsa", Key: "keywsa"}) ||
		got.Labels().Title != "A title" || !slices.Equal(got.Labels().Tags, []string{"a", "b"}) {
		t.Fatalf("Find = %+v, %v; want its owner and labels", got.Record(), err)
	}
	title := "New"
	updated, err := s.Update(ctx, "owned1", t0, func(l domain.ShortLink) (domain.ShortLink, time.Time, error) {
		next, err := l.Relabel(&title, []string{"c"}, true)
		return next, t0.Add(48 * time.Hour), err
	})
	if err != nil {
		t.Fatal(err)
	}
	got, _ = s.Find(ctx, "owned1", t0)
	if got.Labels().Title != "New" || !slices.Equal(got.Labels().Tags, []string{"c"}) || got.Version() != updated.Version() || got.Ownership().Workspace != "wsa" {
		t.Fatalf("after relabel: %+v", got.Record())
	}
	insertOwned(t, s, "anon1", "", t0, "")
	if got, _ := s.Find(ctx, "anon1", t0); got.Ownership().Workspace != "" {
		t.Fatalf("anonymous link found with workspace %q", got.Ownership().Workspace)
	}
}

func codes(links []domain.ShortLink) []string {
	out := make([]string, len(links))
	for i, l := range links {
		out[i] = string(l.Code())
	}
	return out
}

func listingPagesWithFilters(t *testing.T, s WorkspaceStore) {
	ctx := context.Background()
	for i := range 5 {
		insertOwned(t, s, fmt.Sprintf("wa%d", i), "wsa", t0.Add(time.Duration(i)*time.Minute), fmt.Sprintf("Title %d", i), "all", fmt.Sprintf("n%d", i%2))
	}
	insertOwned(t, s, "wb0", "wsb", t0, "")
	insertOwned(t, s, "an0", "", t0.Add(10*time.Minute), "")
	_, err := s.Update(ctx, "wa1", t0, func(l domain.ShortLink) (domain.ShortLink, time.Time, error) {
		next, err := l.SetDisabled(true, domain.ActorOwner)
		return next, t0.Add(48 * time.Hour), err
	})
	if err != nil {
		t.Fatal(err)
	}
	list := func(q domain.LinkQuery) []string {
		t.Helper()
		if q.Limit == 0 {
			q.Limit = 100
		}
		q.Now = t0.Add(time.Hour)
		links, err := s.ListLinks(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		return codes(links)
	}
	wsa := domain.WorkspaceScope{Workspace: "wsa"}
	for _, c := range []struct {
		name string
		q    domain.LinkQuery
		want []string
	}{
		{"a workspace", domain.LinkQuery{Scope: wsa}, []string{"wa4", "wa3", "wa2", "wa1", "wa0"}},
		{"every link", domain.LinkQuery{Scope: domain.WorkspaceScope{All: true}}, []string{"an0", "wa4", "wa3", "wa2", "wa1", "wb0", "wa0"}}, // ties by id, newest first
		{"anonymous links", domain.LinkQuery{Scope: domain.WorkspaceScope{}}, []string{"an0"}},
		{"one page", domain.LinkQuery{Scope: wsa, Limit: 2}, []string{"wa4", "wa3"}},
		{"after a cursor", domain.LinkQuery{Scope: wsa, After: domain.Cursor{CreatedAt: t0.Add(3 * time.Minute), ID: 1 << 40}}, []string{"wa3", "wa2", "wa1", "wa0"}},
		{"code prefix", domain.LinkQuery{Scope: domain.WorkspaceScope{All: true}, Q: "w"}, []string{"wa4", "wa3", "wa2", "wa1", "wb0", "wa0"}},
		{"title substring, any case", domain.LinkQuery{Scope: wsa, Q: "TITLE 3"}, []string{"wa3"}},
		{"URL substring", domain.LinkQuery{Scope: domain.WorkspaceScope{All: true}, Q: "com/an"}, []string{"an0"}},
		{"a LIKE wildcard is literal", domain.LinkQuery{Scope: wsa, Q: "%%%"}, nil},
		{"one tag", domain.LinkQuery{Scope: wsa, Tags: []string{"n1"}}, []string{"wa3", "wa1"}},
		{"two tags", domain.LinkQuery{Scope: wsa, Tags: []string{"n0", "all"}}, []string{"wa4", "wa2", "wa0"}},
		{"disabled", domain.LinkQuery{Scope: wsa, Status: domain.StatusDisabled}, []string{"wa1"}},
		{"active", domain.LinkQuery{Scope: wsa, Status: domain.StatusActive}, []string{"wa4", "wa3", "wa2", "wa0"}},
		{"created in a range", domain.LinkQuery{Scope: wsa, CreatedAfter: t0, CreatedBefore: t0.Add(3 * time.Minute)}, []string{"wa2", "wa1"}},
	} {
		if got := list(c.q); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	// Keyset paging visits each link once.
	var seen []string
	q := domain.LinkQuery{Scope: domain.WorkspaceScope{All: true}, Limit: 3, Now: t0}
	for {
		page, err := s.ListLinks(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, codes(page)...)
		if len(page) < q.Limit {
			break
		}
		last := page[len(page)-1]
		q.After = domain.Cursor{CreatedAt: last.CreatedAt(), ID: int64(last.ID())}
	}
	if len(seen) != 7 {
		t.Fatalf("paging by 3 saw %v, want 7 links once each", seen)
	}
}

// listingFindsDomainCodesAndRareStates checks the arms of the search and
// the states whose plans have indexes of their own in Postgres: a code
// prefix (under 3 characters: no URL or title search) matches a code on a
// registered domain by the code after "<host>/", not by the host.
func listingFindsDomainCodesAndRareStates(t *testing.T, s WorkspaceStore) {
	ctx := context.Background()
	onDomain := string(domain.CodeOn("go.example", "sho.rt", "pr1"))
	insertOwned(t, s, onDomain, "wsd", t0, "")
	insertOwned(t, s, "pr2", "wsd", t0.Add(time.Minute), "")
	insertOwned(t, s, "gx1", "wsd", t0.Add(2*time.Minute), "")
	insertOwned(t, s, "dis", "wsd", t0.Add(3*time.Minute), "")
	if _, err := s.Update(ctx, "dis", t0, func(l domain.ShortLink) (domain.ShortLink, time.Time, error) {
		next, err := l.SetDisabled(true, domain.ActorOwner)
		return next, t0.Add(48 * time.Hour), err
	}); err != nil {
		t.Fatal(err)
	}
	wsd := domain.WorkspaceScope{Workspace: "wsd"}
	for _, c := range []struct {
		name string
		q    domain.LinkQuery
		want []string
	}{
		{"a prefix of plain and domain codes", domain.LinkQuery{Scope: wsd, Q: "pr"}, []string{"pr2", onDomain}},
		{"a prefix of the host is not a code prefix", domain.LinkQuery{Scope: wsd, Q: "go"}, nil},
		{"disabled", domain.LinkQuery{Scope: wsd, Status: domain.StatusDisabled}, []string{"dis"}},
		{"disabled, then expired", domain.LinkQuery{Scope: wsd, Status: domain.StatusDisabled, Now: t0.Add(25 * time.Hour)}, nil},
		{"expired", domain.LinkQuery{Scope: wsd, Status: domain.StatusExpired, Now: t0.Add(25 * time.Hour)}, []string{"dis", "gx1", "pr2", onDomain}},
	} {
		q := c.q
		q.Limit = 100
		if q.Now.IsZero() {
			q.Now = t0.Add(time.Hour)
		}
		links, err := s.ListLinks(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if got := codes(links); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

func tagsAreCounted(t *testing.T, s WorkspaceStore) {
	insertOwned(t, s, "t1", "wsa", t0, "", "x", "y")
	insertOwned(t, s, "t2", "wsa", t0, "", "x")
	insertOwned(t, s, "t3", "wsb", t0, "", "x")
	got, err := s.TagCounts(context.Background(), "wsa")
	if err != nil || fmt.Sprint(got) != "[{x 2} {y 1}]" {
		t.Fatalf("TagCounts = %v, %v; want x 2, y 1", got, err)
	}
}

func auditPagesNewestFirst(t *testing.T, s WorkspaceStore) {
	ctx := context.Background()
	for i := range 5 {
		ws := domain.WorkspaceID("wsa")
		if i%2 == 1 {
			ws = "wsb"
		}
		if err := s.RecordAudit(ctx, domain.AuditEntry{At: t0.Add(time.Duration(i) * time.Second), Workspace: ws, Who: domain.WhoAdmin,
			Action: domain.AuditLinkDeleted, Target: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	all, err := s.ListAudit(ctx, domain.AuditQuery{Scope: domain.WorkspaceScope{All: true}, Limit: 3})
	if err != nil || len(all) != 3 || all[0].Target != "4" || all[2].Target != "2" || !all[0].At.Equal(t0.Add(4*time.Second)) {
		t.Fatalf("first page = %+v, %v", all, err)
	}
	rest, _ := s.ListAudit(ctx, domain.AuditQuery{Scope: domain.WorkspaceScope{All: true}, Limit: 3, Before: all[2].ID})
	if len(rest) != 2 || rest[0].Target != "1" || rest[1].Target != "0" {
		t.Fatalf("second page = %+v", rest)
	}
	wsa, _ := s.ListAudit(ctx, domain.AuditQuery{Scope: domain.WorkspaceScope{Workspace: "wsa"}, Limit: 10})
	if len(wsa) != 3 || wsa[0].Target != "4" || wsa[0].Workspace != "wsa" || wsa[0].Who != domain.WhoAdmin || wsa[0].Action != domain.AuditLinkDeleted {
		t.Fatalf("workspace a's entries = %+v", wsa)
	}
}
