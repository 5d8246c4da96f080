package testenv

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shortlink/shortlink/test/testkit"
)

// EnvRedisClusterURL names a Redis Cluster to test against; withservers
// sets it, and without it a test process starts a private cluster of its own.
const EnvRedisClusterURL = "TEST_REDIS_CLUSTER_URL"

// clusterPrimaries is how many primaries a private cluster has: the
// smallest Redis Cluster redis-cli creates.
const clusterPrimaries = 3

// RedisCluster is a private Redis Cluster on loopback, the shape of
// ElastiCache in cluster mode without its replicas: three primaries made
// into one cluster by redis-cli --cluster create, each a redis-server the
// test may stop and start again (a restarted primary keeps its slots, from
// its nodes.conf, and comes back empty). cluster-require-full-coverage is
// off, so while a primary is down the other two keep serving their slots.
type RedisCluster struct {
	t testing.TB
	*redisCluster
}

// StartRedisCluster starts a private cluster, stopped and deleted when the
// test ends. It needs redis-server and redis-cli on PATH.
func StartRedisCluster(t testing.TB) *RedisCluster {
	t.Helper()
	c, err := newRedisCluster()
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	t.Cleanup(func() {
		if err := c.close(); err != nil {
			t.Logf("testenv: %v", err)
		}
	})
	return &RedisCluster{t: t, redisCluster: c}
}

// StopNode kills primary i (0, 1 or 2), as a crash would: its slots fail
// until it is back.
func (c *RedisCluster) StopNode(i int) { c.nodes[i].Stop() }

// StartNode starts primary i again on its port, with the cluster
// configuration it had, and, once every primary runs, waits until the
// cluster says it is whole.
func (c *RedisCluster) StartNode(i int) {
	c.t.Helper()
	if err := c.nodes[i].start(); err != nil {
		c.t.Fatalf("testenv: %v", err)
	}
	for _, n := range c.nodes {
		if !n.running() {
			return
		}
	}
	if err := c.waitOK(); err != nil {
		c.t.Fatalf("testenv: %v", err)
	}
}

// NodeAddr is primary i's host:port.
func (c *RedisCluster) NodeAddr(i int) string { return c.nodes[i].addr() }

// redisCluster is the processes of a private cluster; it reports errors
// instead of failing a test, so a whole run can share one.
type redisCluster struct {
	dir   string
	nodes []*redisServer
}

func newRedisCluster() (_ *redisCluster, err error) {
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		return nil, fmt.Errorf("a private Redis Cluster needs redis-cli on PATH (apt-get install redis-tools): %w", err)
	}
	ports, err := testkit.FreePorts(2 * clusterPrimaries) // client and cluster bus ports
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "shortlink-redis-cluster-")
	if err != nil {
		return nil, err
	}
	c := &redisCluster{dir: dir}
	defer func() {
		if err != nil {
			err = errors.Join(err, c.close())
		}
	}()
	addrs := make([]string, clusterPrimaries)
	for i := range clusterPrimaries {
		node, err := newRedisServer(ports[i])
		if err != nil {
			return c, err
		}
		node.args = []string{
			"--cluster-enabled", "yes",
			"--cluster-port", strconv.Itoa(ports[clusterPrimaries+i]),
			"--cluster-config-file", filepath.Join(dir, fmt.Sprintf("nodes-%d.conf", ports[i])),
			"--cluster-node-timeout", "2000",
			"--cluster-require-full-coverage", "no",
			"--dir", dir,
		}
		c.nodes = append(c.nodes, node)
		if err := node.start(); err != nil {
			return c, err
		}
		addrs[i] = node.addr()
	}
	create := exec.Command(cli, append([]string{"--cluster", "create"}, append(addrs, "--cluster-yes")...)...)
	out, err := create.CombinedOutput()
	if err == nil && !strings.Contains(string(out), "All 16384 slots covered") {
		err = errors.New("not every slot is covered")
	}
	if err != nil {
		return c, fmt.Errorf("redis-cli --cluster create %s: %w\n%s", strings.Join(addrs, " "), err, out)
	}
	return c, c.waitOK()
}

// URL names every primary in rueidis' cluster URL form.
func (c *redisCluster) URL() string {
	u := "redis://" + c.nodes[0].addr()
	for i, n := range c.nodes[1:] {
		sep := "&"
		if i == 0 {
			sep = "?"
		}
		u += sep + "addr=" + n.addr()
	}
	return u
}

// waitOK waits up to 20 s until every node says cluster_state:ok.
func (c *redisCluster) waitOK() error {
	var last string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		ok := true
		for _, n := range c.nodes {
			out, err := exec.Command("redis-cli", "-h", "127.0.0.1", "-p", strconv.Itoa(n.port), "cluster", "info").CombinedOutput()
			if err != nil || !strings.Contains(string(out), "cluster_state:ok") {
				ok, last = false, fmt.Sprintf("%s: %v %s", n.addr(), err, firstLine(string(out)))
				break
			}
		}
		if ok {
			return nil
		}
	}
	return fmt.Errorf("redis cluster %s not ok within 20s (last: %s)", c.URL(), last)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// close stops every node and deletes the cluster's files.
func (c *redisCluster) close() error {
	for _, n := range c.nodes {
		n.Stop()
	}
	return os.RemoveAll(c.dir)
}

var shared struct {
	once    sync.Once
	cluster *redisCluster
	err     error
}

// RedisClusterURL returns the URL of the Redis Cluster tests share: the one
// TEST_REDIS_CLUSTER_URL names (withservers starts one for `make`), or else
// a private cluster started once for this test process, stopped by Main.
// Tests on it keep to key prefixes of their own, as on the cache Redis.
func RedisClusterURL(t testing.TB) string {
	t.Helper()
	if url := os.Getenv(EnvRedisClusterURL); url != "" {
		return url
	}
	shared.once.Do(func() { shared.cluster, shared.err = newRedisCluster() })
	if shared.err != nil {
		t.Fatalf("testenv: no %s set, and a private Redis Cluster did not start: %v", EnvRedisClusterURL, shared.err)
	}
	return shared.cluster.URL()
}

// stopSharedCluster stops the cluster RedisClusterURL started, if any.
func stopSharedCluster() {
	if shared.cluster != nil {
		_ = shared.cluster.close()
	}
}
