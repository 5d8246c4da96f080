package app_test

import (
	"context"
	"errors"
	"testing"

	"go.uber.org/mock/gomock"

	"github.com/shortlink/shortlink/adapters/memory"
	"github.com/shortlink/shortlink/app"
	"github.com/shortlink/shortlink/domain"
)

var admin = app.Caller{Admin: true}

// aliasTaken marks a case that wants domain.ErrAliasTaken.
const aliasTaken domain.Reason = "alias_taken"

// TestDomainRegistrationAndRemovalAreAudited: POST and DELETE of
// /v1/domains are management actions like the others: the admin, the
// action, the host, when, in the domain's workspace when it is tied to
// one. A refused registration records nothing.
func TestDomainRegistrationAndRemovalAreAudited(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := memory.NewLinkStore()
	audit := app.NewAuditor(store, fixedClock{now}, quietLog)
	d := app.NewDomains(store, domain.ShortDomain{Host: "sho.rt"}, fixedClock{now}, quietLog).WithAudit(audit)

	if _, err := d.Register(ctx, admin, "EXA.mp", "", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Register(ctx, admin, "ws.example", "w1", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Register(ctx, app.Caller{Token: "not-an-admin"}, "other.example", "", ""); !errors.Is(err, domain.ErrForbidden) {
		t.Fatalf("register by a non-admin: %v, want ErrForbidden", err)
	}
	if _, err := d.Register(ctx, admin, "exa.mp", "", ""); !errors.Is(err, domain.ErrDomainTaken) {
		t.Fatalf("register exa.mp again: %v, want ErrDomainTaken", err)
	}
	if err := d.Remove(ctx, admin, "ws.example"); err != nil {
		t.Fatal(err)
	}

	entries, err := audit.List(ctx, admin, domain.WorkspaceScope{All: true}, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []domain.AuditEntry{ // newest first
		{Workspace: "w1", Who: domain.WhoAdmin, Action: domain.AuditDomainRemoved, Target: "ws.example"},
		{Workspace: "w1", Who: domain.WhoAdmin, Action: domain.AuditDomainRegistered, Target: "ws.example"},
		{Workspace: "", Who: domain.WhoAdmin, Action: domain.AuditDomainRegistered, Target: "exa.mp"},
	}
	if len(entries) != len(want) {
		t.Fatalf("audit log = %+v, want %d entries", entries, len(want))
	}
	for i, e := range entries {
		w := want[i]
		if e.Workspace != w.Workspace || e.Who != w.Who || e.Action != w.Action || e.Target != w.Target || !e.At.Equal(now) {
			t.Errorf("entry %d = %+v, want %+v at %s", i, e, w, now)
		}
	}
	// A workspace's owners see their domain's entries, not the others'.
	owner := app.Caller{Key: domain.APIKey{ID: "k1", Workspace: "w1", Role: domain.RoleOwner}}
	if mine, err := audit.List(ctx, owner, domain.WorkspaceScope{}, 0, 10); err != nil || len(mine) != 2 {
		t.Fatalf("w1's owner sees %+v (%v), want the two entries of ws.example", mine, err)
	}
}

// TestCheckAppliesTheDomainChecksOfACreate: an import's dry run (Check)
// refuses what its create would: a domain that is not registered, one
// tied to another workspace, an alias taken on that domain (and not one
// taken on another), a target on a short domain, and a domain before the
// contract step.
func TestCheckAppliesTheDomainChecksOfACreate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	domains := memory.NewLinkStore()
	d := app.NewDomains(domains, domain.ShortDomain{Host: "sho.rt"}, fixedClock{now}, quietLog)
	for _, x := range []struct {
		host string
		ws   domain.WorkspaceID
	}{{"exa.mp", ""}, {"ws.example", "w1"}} {
		if _, err := d.Register(ctx, admin, x.host, x.ws, ""); err != nil {
			t.Fatal(err)
		}
	}
	deps := newDeps(t)
	deps.store.EXPECT().Find(gomock.Any(), domain.Code("exa.mp/taken"), gomock.Any()).Return(domain.ShortLink{}, nil).AnyTimes()
	deps.store.EXPECT().Find(gomock.Any(), gomock.Any(), gomock.Any()).Return(domain.ShortLink{}, domain.ErrNotFound).AnyTimes()
	creator := deps.creator(1).WithDomains(d)
	w1 := domain.Ownership{Workspace: "w1"}
	w2 := domain.Ownership{Workspace: "w2"}

	for _, c := range []struct {
		name   string
		req    app.CreateRequest
		reason domain.Reason // "": accepted
		field  string
	}{
		{"a shared domain", app.CreateRequest{URL: "https://example.com/a", Alias: "free", Domain: "EXA.MP"}, "", ""},
		{"the default domain by its host", app.CreateRequest{URL: "https://example.com/a", Alias: "taken", Domain: "sho.rt"}, "", ""},
		{"an alias taken on that domain", app.CreateRequest{URL: "https://example.com/a", Alias: "taken", Domain: "exa.mp"}, aliasTaken, ""},
		{"an unregistered domain", app.CreateRequest{URL: "https://example.com/a", Domain: "nope.example"}, domain.ReasonInvalidDomain, "domain"},
		{"no host at all", app.CreateRequest{URL: "https://example.com/a", Domain: "not a host"}, domain.ReasonInvalidDomain, "domain"},
		{"its workspace's domain", app.CreateRequest{URL: "https://example.com/a", Domain: "ws.example", Owner: w1}, "", ""},
		{"another workspace's domain", app.CreateRequest{URL: "https://example.com/a", Domain: "ws.example", Owner: w2}, domain.ReasonInvalidDomain, "domain"},
		{"a target on a short domain", app.CreateRequest{URL: "https://exa.mp/loop"}, domain.ReasonOwnHost, "url"},
	} {
		err := creator.Check(ctx, c.req)
		if c.reason == "" {
			if err != nil {
				t.Errorf("%s: %v, want accepted", c.name, err)
			}
			continue
		}
		var v *domain.ValidationError
		switch {
		case c.reason == aliasTaken:
			if !errors.Is(err, domain.ErrAliasTaken) {
				t.Errorf("%s: %v, want ErrAliasTaken", c.name, err)
			}
		case !errors.As(err, &v) || v.Reason != c.reason || v.Field != c.field:
			t.Errorf("%s: %v, want %s on %q", c.name, err, c.reason, c.field)
		}
	}

	// Before the contract step a domain is not enabled, in a check as in a create.
	gated := deps.creator(1).WithDomains(d).WithFeatures(app.LinkFeatures{Gate: app.NewFeatureGate(&steps{}, fixedClock{now})})
	if err := gated.Check(ctx, app.CreateRequest{URL: "https://example.com/a", Domain: "exa.mp"}); !errors.Is(err, domain.ErrFeatureNotEnabled) {
		t.Fatalf("check on a domain before the contract step: %v, want ErrFeatureNotEnabled", err)
	}
	if err := gated.Check(ctx, app.CreateRequest{URL: "https://example.com/a"}); err != nil {
		t.Fatalf("check on the default domain before the contract step: %v", err)
	}
}
