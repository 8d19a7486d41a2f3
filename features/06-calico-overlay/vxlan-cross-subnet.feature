@lesson-06 @topology:calico-overlay
Feature: VXLAN only between subnets
  Lesson 06: four Kind nodes on two VLAN subnets behind a top-of-rack router, Calico's pool in
  VXLANCrossSubnet mode. Pods on nodes of one subnet talk natively on eth1; pods on nodes of
  different subnets talk through vxlan.calico, and the router only ever routes the nodes' own
  addresses.

  @claim:L06-01
  Scenario: Three nodes share a subnet, the fourth sits alone, and the router joins the two
    Then Calico's node addresses lie on subnets of 3 and 1 nodes
    And every node reaches the nodes of its own subnet directly on eth1
    And every node reaches the nodes of the other subnet via the router's address on its own subnet, on eth1

  @claim:L06-02
  Scenario: The router routes between the node subnets and knows no pod
    Then the router routes only its directly connected subnets
    And the router has no default route and no route covering the IP pool

  @claim:L06-03 @live-only:needs-the-course-ceos-switch
  Scenario: The switch shows its VLAN ports, its VLAN interfaces and no gateway of last resort
    Then the switch's JSON output shows its VLAN ports connected, its VLAN interfaces up at MTU 1500 and no gateway of last resort

  @claim:L06-04
  Scenario: The operator's IP pool encapsulates across subnets only
    Then the IP pool "default-ipv4-ippool" reads:
      | allowedUses                        | Workload, Tunnel |
      | assignmentMode                     | Automatic        |
      | blockSize                          | 26               |
      | disableBGPExport                   | true             |
      | ipipMode                           | Never            |
      | natOutgoing                        | true             |
      | nodeSelector                       | all()            |
      | vxlanMode                          | CrossSubnet      |
      | label app.kubernetes.io/managed-by | tigera-operator  |

  @claim:L06-05
  Scenario: Calico takes each node's eth1 address as the node's address
    Then every node's Calico address is its eth1 address, with its prefix
    And no route to a remote block and no VXLAN FDB entry points at a node's eth0 address

  @claim:L06-06
  Scenario: A remote block is routed natively within a subnet and through vxlan.calico across subnets
    Then on every node each remote block is routed natively within a subnet and through vxlan.calico across subnets
    And on every node its own blocks are blackholes
    And on every node each other node's tunnel address is reached through the route to that node's block, with no route of its own

  @claim:L06-07
  Scenario: Every node has vxlan.calico on eth1, with Felix's VNI and port and the overlay's MTU
    Then on every node vxlan.calico has VNI 4096, port 4789, no learning, and the node's Calico address as local address on eth1
    And on every node vxlan.calico's MTU is the smallest MTU of its up host interfaces less 50 bytes

  @claim:L06-08
  Scenario: vxlan.calico holds the node's tunnel address
    Then on every node vxlan.calico holds only the node's tunnel address, as a /32 in a block of the node

  @claim:L06-09
  Scenario: Every node knows every other node's VTEP as a permanent neighbour
    Then on every node vxlan.calico has a permanent neighbour entry for every other node's tunnel address and MAC

  @claim:L06-10
  Scenario: Every node sends every other VTEP's MAC to that node's eth1 address
    Then on every node vxlan.calico has a permanent FDB entry sending every other node's tunnel MAC to its Calico address

  @claim:L06-11
  Scenario: Pod traffic between subnets leaves eth1 inside VXLAN
    Given a multitool-1 pod on a worker node, called "source"
    And a multitool-1 pod on a worker node in another subnet, called "target"
    When "source" pings "target" 3 times while the eth1 of the node of "source" is captured
    Then every echo request is answered
    And the capture shows the ping only as VXLAN with VNI 4096 on port 4789 between the Calico addresses of the nodes of "source" and "target"

  @claim:L06-11
  Scenario: Pod traffic within a subnet leaves eth1 as plain ICMP
    Given a multitool-1 pod on a worker node, called "source"
    And a multitool-1 pod on another worker node in the same subnet, called "target"
    When "source" pings "target" 3 times while the eth1 of the node of "source" is captured
    Then every echo request is answered
    And the capture shows the ping as plain ICMP between the pods and no UDP on port 4789

  @claim:L06-11
  Scenario: The router carries pod traffic between subnets without seeing a pod address
    Given a multitool-1 pod on a worker node, called "source"
    And a multitool-1 pod on a worker node in another subnet, called "target"
    When "source" pings "target" 3 times while the router is captured
    Then every echo request is answered
    And the capture shows the ping encapsulated, with no pod address in an outer header

  @claim:L06-12
  Scenario: The receiving node decapsulates and the pod sees the sender's own address
    Given a multitool-1 pod on a worker node, called "source"
    And a multitool-1 pod on a worker node in another subnet, called "target"
    When "source" pings "target" 3 times while the eth1 of the node of "target" is captured
    Then the capture shows the echo requests arriving as VXLAN on port 4789 from the Calico address of the node of "source"
    When "source" pings "target" 3 times while "target" captures its traffic
    Then the capture shows the echo requests coming from the IP of "source"
