// A simulated vCenter for the live tests of `faultline import vsphere`:
// govmomi's vcsim inventory, served over TLS on 127.0.0.1 with the
// certificate the test made, then shaped through the vSphere API the way
// an administrator would have shaped it (rules, HA overrides, templates,
// maintenance mode, a local datastore).
//
// It prints `URL <address>` on stdout once it serves, and stops when its
// standard input closes, so that it never outlives the test that started
// it. Built in GOPATH mode against Debian's golang-github-vmware-govmomi-dev
// (GOPATH=/usr/share/gocode GO111MODULE=off): no module is downloaded.
//
//	vcsim -cert leaf.pem -key leaf.key -user U -pass P [-scenario test|bench]
package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"log"
	"net/url"
	"os"
	"path"
	"sync"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

func main() {
	certFile := flag.String("cert", "", "server certificate (PEM)")
	keyFile := flag.String("key", "", "server key (PEM)")
	user := flag.String("user", "user", "the only user name accepted")
	pass := flag.String("pass", "pass", "its password")
	scenario := flag.String("scenario", "test", "test: the cases the live test checks; bench: a large inventory")
	clusters := flag.Int("clusters", 25, "bench: clusters")
	clusterHosts := flag.Int("cluster-hosts", 20, "bench: hosts per cluster")
	vms := flag.Int("vms", 200, "bench: vms per cluster")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("vcsim: ")

	cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
	if err != nil {
		log.Fatalf("certificate: %v", err)
	}

	model := simulator.VPX()
	model.Portgroup = 0
	switch *scenario {
	case "test":
		model.Datacenter = 2
		model.Cluster = 2
		model.ClusterHost = 3
		model.Host = 1
		model.Machine = 2
	case "bench":
		model.Datacenter = 1
		model.Cluster = *clusters
		model.ClusterHost = *clusterHosts
		model.Host = 0
		model.Machine = *vms
	default:
		log.Fatalf("unknown scenario %q", *scenario)
	}
	defer model.Remove()
	if err := model.Create(); err != nil {
		log.Fatalf("inventory: %v", err)
	}
	model.Service.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	model.Service.Listen = &url.URL{Host: "127.0.0.1:0", User: url.UserPassword(*user, *pass)}
	server := model.Service.NewServer()
	defer server.Close()

	ctx := context.Background()
	u := *server.URL
	u.User = url.UserPassword(*user, *pass)
	client, err := govmomi.NewClient(ctx, &u, true)
	if err != nil {
		log.Fatalf("client: %v", err)
	}
	s := &shaper{ctx: ctx, c: client, finder: find.NewFinder(client.Client, false)}
	if *scenario == "test" {
		s.test()
	} else {
		s.bench(*clusters)
	}
	mountShared()
	paging := &pagingCollector{}
	paging.Self = types.ManagedObjectReference{Type: "PropertyCollector", Value: "propertyCollector"}
	simulator.Map.Put(paging)
	_ = client.Logout(ctx)

	shown := *server.URL
	shown.User = nil
	fmt.Printf("URL %s\n", shown.String())
	_, _ = io.Copy(io.Discard, os.Stdin)
}

type shaper struct {
	ctx    context.Context
	c      *govmomi.Client
	finder *find.Finder
}

func (s *shaper) must(err error, what string) {
	if err != nil {
		log.Fatalf("%s: %v", what, err)
	}
}

func (s *shaper) wait(t *object.Task, err error, what string) {
	s.must(err, what)
	s.must(t.Wait(s.ctx), what)
}

func (s *shaper) datacenter(name string) *object.Datacenter {
	dc, err := s.finder.Datacenter(s.ctx, name)
	s.must(err, "datacenter "+name)
	s.finder.SetDatacenter(dc)
	return dc
}

func (s *shaper) cluster(name string) *object.ClusterComputeResource {
	c, err := s.finder.ClusterComputeResource(s.ctx, name)
	s.must(err, "cluster "+name)
	return c
}

func (s *shaper) host(name string) *object.HostSystem {
	h, err := s.finder.HostSystem(s.ctx, name)
	s.must(err, "host "+name)
	return h
}

func (s *shaper) vm(name string) *object.VirtualMachine {
	v, err := s.finder.VirtualMachine(s.ctx, name)
	s.must(err, "vm "+name)
	return v
}

// newVM creates a vm on `host` of `cluster` with its files on `ds`, and
// powers it on unless told not to.
func (s *shaper) newVM(dc *object.Datacenter, cluster *object.ClusterComputeResource, host *object.HostSystem, name, ds string, memoryMB int64, on bool) *object.VirtualMachine {
	folders, err := dc.Folders(s.ctx)
	s.must(err, "folders")
	pool, err := cluster.ResourcePool(s.ctx)
	s.must(err, "pool")
	spec := types.VirtualMachineConfigSpec{
		Name:     name,
		GuestId:  string(types.VirtualMachineGuestOsIdentifierOtherGuest),
		MemoryMB: memoryMB,
		NumCPUs:  2,
		Files:    &types.VirtualMachineFileInfo{VmPathName: "[" + ds + "] " + path.Join(name, name+".vmx")},
	}
	task, err := folders.VmFolder.CreateVM(s.ctx, spec, pool, host)
	s.must(err, "create "+name)
	info, err := task.WaitForResult(s.ctx, nil)
	s.must(err, "create "+name)
	vm := object.NewVirtualMachine(s.c.Client, info.Result.(types.ManagedObjectReference))
	if on {
		t, err := vm.PowerOn(s.ctx)
		s.wait(t, err, "power on "+name)
	}
	return vm
}

func (s *shaper) reconfigure(c *object.ClusterComputeResource, spec *types.ClusterConfigSpecEx) {
	t, err := c.Reconfigure(s.ctx, spec, true)
	s.wait(t, err, "reconfigure "+c.Name())
}

func refs(vms ...*object.VirtualMachine) []types.ManagedObjectReference {
	out := make([]types.ManagedObjectReference, len(vms))
	for i, v := range vms {
		out[i] = v.Reference()
	}
	return out
}

func rule(info types.BaseClusterRuleInfo) types.ClusterRuleSpec {
	return types.ClusterRuleSpec{
		ArrayUpdateSpec: types.ArrayUpdateSpec{Operation: types.ArrayUpdateOperationAdd},
		Info:            info,
	}
}

// clusterConfig is the simulator's own object: vcsim 0.24 ignores the HA
// part of ReconfigureComputeResource, so HA is switched on there.
func clusterConfig(c *object.ClusterComputeResource) *types.ClusterConfigInfoEx {
	obj := simulator.Map.Get(c.Reference()).(*simulator.ClusterComputeResource)
	return obj.ConfigurationEx.(*types.ClusterConfigInfoEx)
}

func (s *shaper) enableHA(c *object.ClusterComputeResource, admissionControl bool) {
	cfg := clusterConfig(c)
	cfg.DasConfig.Enabled = types.NewBool(true)
	cfg.DasConfig.AdmissionControlEnabled = types.NewBool(admissionControl)
}

// hostRuntime is the simulator's own host state, for what vcsim has no
// method for (DPM standby, a lost connection).
func hostRuntime(h *object.HostSystem) *types.HostRuntimeInfo {
	return &simulator.Map.Get(h.Reference()).(*simulator.HostSystem).Runtime
}

// pagingCollector hands out RetrievePropertiesEx answers in pages of
// `maxObjects`, as vCenter does, with ContinueRetrievePropertiesEx for the
// rest: vcsim 0.24 answers in one page whatever it is asked. vcsim makes a
// zero value of this type for each session, so the pages left are per
// session, as vCenter keeps them.
type pagingCollector struct {
	simulator.PropertyCollector
	mu   sync.Mutex
	last int
	rest map[string]page
}

type page struct {
	objects []types.ObjectContent
	size    int
}

// cut keeps the first page of `res` and files the rest under a token.
func (pc *pagingCollector) cut(res *types.RetrieveResult, objects []types.ObjectContent, size int) {
	res.Objects, res.Token = objects, ""
	if size <= 0 || len(objects) <= size {
		return
	}
	pc.mu.Lock()
	defer pc.mu.Unlock()
	pc.last++
	if pc.rest == nil {
		pc.rest = map[string]page{}
	}
	res.Token = fmt.Sprintf("page-%d", pc.last)
	pc.rest[res.Token] = page{objects: objects[size:], size: size}
	res.Objects = objects[:size]
}

func (pc *pagingCollector) RetrievePropertiesEx(ctx *simulator.Context, r *types.RetrievePropertiesEx) soap.HasFault {
	body := pc.PropertyCollector.RetrievePropertiesEx(ctx, r).(*methods.RetrievePropertiesExBody)
	if body.Res != nil && body.Res.Returnval != nil {
		pc.cut(body.Res.Returnval, body.Res.Returnval.Objects, int(r.Options.MaxObjects))
	}
	return body
}

func (pc *pagingCollector) ContinueRetrievePropertiesEx(r *types.ContinueRetrievePropertiesEx) soap.HasFault {
	body := &methods.ContinueRetrievePropertiesExBody{}
	pc.mu.Lock()
	p, ok := pc.rest[r.Token]
	delete(pc.rest, r.Token)
	pc.mu.Unlock()
	if !ok {
		body.Fault_ = simulator.Fault("unknown token", &types.InvalidArgument{InvalidProperty: "token"})
		return body
	}
	res := types.RetrieveResult{}
	pc.cut(&res, p.objects, p.size)
	body.Res = &types.ContinueRetrievePropertiesExResponse{Returnval: res}
	return body
}

// mountShared lists every host that mounts a datastore in its `host`
// property: vcsim 0.24 makes a datastore shared by several hosts once per
// host and keeps only the last host's mount, where vCenter lists them all.
func mountShared() {
	hosts := simulator.Map.All("HostSystem")
	for _, e := range simulator.Map.All("Datastore") {
		ds := e.(*simulator.Datastore)
		var mounts []types.DatastoreHostMount
		for _, h := range hosts {
			host := h.(*simulator.HostSystem)
			for _, ref := range host.Datastore {
				if ref == ds.Self {
					mounts = append(mounts, types.DatastoreHostMount{
						Key: host.Self,
						MountInfo: types.HostMountInfo{
							AccessMode: string(types.HostMountModeReadWrite),
							Mounted:    types.NewBool(true),
							Accessible: types.NewBool(true),
						},
					})
				}
			}
		}
		if len(mounts) > 0 {
			ds.Host = mounts
		}
	}
}

// The live test's inventory, on top of vcsim's default names (DC0,
// DC0_C0, DC0_C0_H0, DC0_C0_RP0_VM0, DC0_H0, LocalDS_0...):
//
//	DC0_C0  HA with admission control; web-a/b/c kept apart (and an old,
//	        disabled rule), db-1/db-2 kept together, db-1 pinned to a host
//	        group, batch-1 without HA restart, ft-app fault tolerant
//	        (primary on H0, secondary on H1), local-app on a datastore only
//	        H1 mounts, a template and a powered-off vm, H2 in DPM standby
//	DC0_C1  no HA; H2 in maintenance mode
//	DC1_C0  HA without admission control
//	DC1_C1  no HA; H0 not responding; DC1_H0 (standalone) disconnected
func (s *shaper) test() {
	dc0 := s.datacenter("DC0")
	c := s.cluster("DC0_C0")
	h0, h1, h2 := s.host("DC0_C0_H0"), s.host("DC0_C0_H1"), s.host("DC0_C0_H2")
	s.enableHA(c, true)

	dss, err := h1.ConfigManager().DatastoreSystem(s.ctx)
	s.must(err, "datastore system")
	dir, err := os.MkdirTemp("", "vcsim-local-")
	s.must(err, "local datastore directory")
	defer os.RemoveAll(dir)
	_, err = dss.CreateLocalDatastore(s.ctx, "DC0_C0_H1-local", dir)
	s.must(err, "local datastore")

	webA := s.newVM(dc0, c, h0, "web-a", "LocalDS_0", 4096, true)
	webB := s.newVM(dc0, c, h1, "web-b", "LocalDS_0", 4096, true)
	webC := s.newVM(dc0, c, h0, "web-c", "LocalDS_0", 4096, true)
	db1 := s.newVM(dc0, c, h0, "db-1", "LocalDS_0", 16384, true)
	db2 := s.newVM(dc0, c, h0, "db-2", "LocalDS_0", 16384, true)
	batch := s.newVM(dc0, c, h1, "batch-1", "LocalDS_0", 2048, true)
	ft := s.newVM(dc0, c, h0, "ft-app", "LocalDS_0", 8192, true)
	ft2 := s.newVM(dc0, c, h1, "ft-app (secondary)", "LocalDS_0", 8192, true)
	s.newVM(dc0, c, h1, "local-app", "DC0_C0_H1-local", 1024, true)
	s.newVM(dc0, c, h1, "off-1", "LocalDS_0", 1024, false)
	tmpl := s.newVM(dc0, c, h1, "tmpl-base", "LocalDS_0", 1024, false)
	s.must(tmpl.MarkAsTemplate(s.ctx), "template")

	s.reconfigure(c, &types.ClusterConfigSpecEx{
		GroupSpec: []types.ClusterGroupSpec{
			{
				ArrayUpdateSpec: types.ArrayUpdateSpec{Operation: types.ArrayUpdateOperationAdd},
				Info:            &types.ClusterVmGroup{ClusterGroupInfo: types.ClusterGroupInfo{Name: "dbs"}, Vm: refs(db1)},
			},
			{
				ArrayUpdateSpec: types.ArrayUpdateSpec{Operation: types.ArrayUpdateOperationAdd},
				Info:            &types.ClusterHostGroup{ClusterGroupInfo: types.ClusterGroupInfo{Name: "db-hosts"}, Host: []types.ManagedObjectReference{h0.Reference()}},
			},
		},
		RulesSpec: []types.ClusterRuleSpec{
			rule(&types.ClusterAntiAffinityRuleSpec{
				ClusterRuleInfo: types.ClusterRuleInfo{Name: "web-apart", Enabled: types.NewBool(true)},
				Vm:              refs(webA, webB, webC),
			}),
			rule(&types.ClusterAntiAffinityRuleSpec{
				ClusterRuleInfo: types.ClusterRuleInfo{Name: "old-rule", Enabled: types.NewBool(false)},
				Vm:              refs(webA, db1),
			}),
			rule(&types.ClusterAffinityRuleSpec{
				ClusterRuleInfo: types.ClusterRuleInfo{Name: "db-together", Enabled: types.NewBool(true)},
				Vm:              refs(db1, db2),
			}),
			rule(&types.ClusterVmHostRuleInfo{
				ClusterRuleInfo:     types.ClusterRuleInfo{Name: "db-on-h0", Enabled: types.NewBool(true)},
				VmGroupName:         "dbs",
				AffineHostGroupName: "db-hosts",
			}),
		},
		DasVmConfigSpec: []types.ClusterDasVmConfigSpec{{
			ArrayUpdateSpec: types.ArrayUpdateSpec{Operation: types.ArrayUpdateOperationAdd},
			Info: &types.ClusterDasVmConfigInfo{
				Key:         batch.Reference(),
				DasSettings: &types.ClusterDasVmSettings{RestartPriority: string(types.ClusterDasVmSettingsRestartPriorityDisabled)},
			},
		}},
	})

	// vcsim has no CreateSecondaryVM: the two halves of ft-app are made
	// as vCenter shows them.
	primary := simulator.Map.Get(ft.Reference()).(*simulator.VirtualMachine)
	secondary := simulator.Map.Get(ft2.Reference()).(*simulator.VirtualMachine)
	primary.Config.FtInfo = &types.FaultTolerancePrimaryConfigInfo{
		FaultToleranceConfigInfo: types.FaultToleranceConfigInfo{Role: 1},
		Secondaries:              []types.ManagedObjectReference{ft2.Reference()},
	}
	secondary.Config.FtInfo = &types.FaultToleranceSecondaryConfigInfo{
		FaultToleranceConfigInfo: types.FaultToleranceConfigInfo{Role: 2},
		PrimaryVM:                ft.Reference(),
	}
	primary.Runtime.FaultToleranceState = types.VirtualMachineFaultToleranceStateRunning
	secondary.Runtime.FaultToleranceState = types.VirtualMachineFaultToleranceStateRunning

	hostRuntime(h2).PowerState = types.HostSystemPowerStateStandBy

	m := s.host("DC0_C1_H2")
	t, err := m.EnterMaintenanceMode(s.ctx, 0, false, nil)
	s.wait(t, err, "maintenance mode")

	s.datacenter("DC1")
	s.enableHA(s.cluster("DC1_C0"), false)
	hostRuntime(s.host("DC1_C1_H0")).ConnectionState = types.HostSystemConnectionStateNotResponding
	hostRuntime(s.host("DC1_H0")).ConnectionState = types.HostSystemConnectionStateDisconnected
}

// The benchmark's inventory: HA on every cluster, and each cluster's
// first three vms kept apart, as a real estate would have them.
func (s *shaper) bench(clusters int) {
	s.datacenter("DC0")
	for i := 0; i < clusters; i++ {
		name := fmt.Sprintf("DC0_C%d", i)
		c := s.cluster(name)
		s.enableHA(c, true)
		var apart []*object.VirtualMachine
		for j := 0; j < 3; j++ {
			vm, err := s.finder.VirtualMachine(s.ctx, fmt.Sprintf("%s_RP0_VM%d", name, j))
			if err == nil {
				apart = append(apart, vm)
			}
		}
		if len(apart) > 1 {
			s.reconfigure(c, &types.ClusterConfigSpecEx{RulesSpec: []types.ClusterRuleSpec{
				rule(&types.ClusterAntiAffinityRuleSpec{
					ClusterRuleInfo: types.ClusterRuleInfo{Name: "apart", Enabled: types.NewBool(true)},
					Vm:              refs(apart...),
				}),
			}})
		}
	}
}
