@lesson-18 @topology:mtu-lab
Feature: Jumbo frames, the overlay's MTU and path MTU discovery
  Lesson 18: the nodes' eth1 and the router carry 9000-byte frames while eth0 stays at 1500.
  Calico sizes the pods from the smallest host interface unless the Installation names an MTU,
  and a router interface lowered to 1500 breaks the API server's TLS answers to the other
  subnet unless the "fragmentation needed" it sends back is accepted.
  The lab's API server is a TLS server (openssl s_server) on the control-plane's node address,
  port 6443, answering /healthz with "ok"; its certificate makes the handshake's server flight
  about 2.5 KB, larger than a 1500-byte link, as a real API server's is.

  @claim:L18-01
  Scenario: Every node's eth1 carries jumbo frames and holds the node's InternalIP
    Then every node's eth1 has MTU 9000
    And every node's InternalIP is its eth1 address

  @claim:L18-02 @live-only:needs-the-course-ceos-switch
  Scenario: The switch's VLAN interfaces are at MTU 9000
    Then the switch's JSON output shows its VLAN ports connected, its VLAN interfaces up at MTU 9000 and no gateway of last resort

  @claim:L18-03
  Scenario: The client and the server run on nodes of different subnets
    Given a netshoot-client pod on any node, called "client"
    And a netshoot-server pod on any node, called "server"
    Then "client" and "server" run on nodes of different subnets

  @claim:L18-04
  Scenario: With no MTU in the Installation, a pod gets the smallest host MTU less VXLAN's 50 bytes
    Given a netshoot-client pod on any node, called "client"
    Then the MTU of "client"'s eth0 is the smallest MTU of its node's up host interfaces less 50 bytes
    And the eth1 of the node of "client" has MTU 9000

  @claim:L18-05
  Scenario: A default-size ping crosses the subnets in two routed hops
    Given a netshoot-client pod on any node, called "client"
    And a netshoot-server pod on any node, called "server"
    When "client" pings "server" 3 times
    Then every echo request is answered
    And every reply carries TTL 62

  @claim:L18-06
  Scenario: A don't-fragment ping larger than the pod's MTU is refused inside the pod
    Given a netshoot-client pod on any node, called "client"
    And a netshoot-server pod on any node, called "server"
    When "client" pings "server" 3 times with 8900 bytes of data, not to be fragmented, while the host side of "client" is captured
    Then ping refuses every request in the pod with the kernel's "message too long" and the MTU of its eth0
    And the capture shows the default-size request and no echo request longer than the MTU of "client"'s eth0

  @claim:L18-07
  Scenario: An MTU set in the Installation reaches new pods and vxlan.calico, not the pods already running
    Given a netshoot-client pod on any node, called "old"
    When the Installation's MTU is set to 8950
    And a new pod is created on the node of "old", called "new"
    Then the MTU of "new"'s eth0 and of its host side is 8950
    And on every node vxlan.calico's MTU is 8950
    And the MTU of "old"'s eth0 is the smallest MTU of its node's up host interfaces less 50 bytes

  @claim:L18-08
  Scenario: With the Installation at 8950, recreated pods exchange 8900-byte pings in VXLAN packets of 8978 bytes
    Given a netshoot-client pod on any node, called "client"
    And a netshoot-server pod on any node, called "server"
    When the Installation's MTU is set to 8950
    And a new pod is created on the node of "client", called "client2"
    And a new pod is created on the node of "server", called "server2"
    And "client2" pings "server2" 3 times with 8900 bytes of data, not to be fragmented, while the eth1 of the node of "client2" is captured
    Then every echo request is answered
    And every reply is 8908 bytes and carries TTL 62
    And the capture shows the echo requests as VXLAN packets of IP length 8978

  @claim:L18-09
  Scenario: With every router interface at 9000, the API server answers from the other subnet
    Given a netshoot-server pod on any node, called "server"
    When the API server's /healthz is fetched over TLS from the node of "server"
    Then the answer is "ok"

  @claim:L18-10
  Scenario: A router interface at 1500 breaks TLS to the other subnet, not within the API server's own
    Given a netshoot-client pod on any node, called "client"
    And a netshoot-server pod on any node, called "server"
    And the control-plane node's reverse-path filter is 1
    And the router's interface on the subnet of the node of "server" has MTU 1500
    When the API server's /healthz is fetched over TLS from the node of "server"
    Then the fetch times out with curl's exit code for a timeout
    When the API server's /healthz is fetched over TLS from the node of "client"
    Then the answer is "ok"

  @claim:L18-11
  Scenario: The router answers the oversized segments with "fragmentation needed"
    Given a netshoot-server pod on any node, called "server"
    And the control-plane node's reverse-path filter is 1
    And the router's interface on the subnet of the node of "server" has MTU 1500
    When the API server's /healthz is fetched over TLS from the node of "server" while the eth1 of the control-plane node is captured
    Then the capture shows the router's ICMP "fragmentation needed" with MTU 1500 to the API server, quoting its TCP segment to the node of "server" with DF set

  @claim:L18-13
  Scenario: TCP between the other subnet and the API server sets DF
    Given a netshoot-server pod on any node, called "server"
    When the API server's /healthz is fetched over TLS from the node of "server" while the eth1 of the control-plane node is captured
    Then the answer is "ok"
    And the capture shows every TCP segment between the node of "server" and the API server with DF set

  @claim:L18-12 @live-only:needs-the-course-ceos-switch
  Scenario: The switch sources its ICMP from its management address, which the control-plane routes via eth0
    Given a netshoot-server pod on any node, called "server"
    And the router's interface on the subnet of the node of "server" has MTU 1500
    When the API server's /healthz is fetched over TLS from the node of "server" while the eth1 of the control-plane node is captured
    Then the capture shows the router's ICMP "fragmentation needed" with MTU 1500 to the API server, quoting its TCP segment to the node of "server" with DF set
    And the control-plane node routes the ICMP's source via eth0

  @claim:L18-14
  Scenario: Strict reverse-path filtering drops the router's ICMP, and path MTU discovery fails
    Given a netshoot-server pod on any node, called "server"
    And the control-plane node's reverse-path filter is 1
    And the router's interface on the subnet of the node of "server" has MTU 1500
    When the API server's /healthz is fetched over TLS from the node of "server"
    Then the fetch times out with curl's exit code for a timeout
    And the control-plane node caches no path MTU for the node of "server"

  @claim:L18-15
  Scenario: Loose reverse-path filtering lets path MTU discovery work
    Given a netshoot-server pod on any node, called "server"
    And the control-plane node's reverse-path filter is 2
    And the router's interface on the subnet of the node of "server" has MTU 1500
    When the API server's /healthz is fetched over TLS from the node of "server"
    Then the answer is "ok"
    And the control-plane node caches a path MTU of 1500 for the node of "server"
    When the API server's /healthz is fetched over TLS from the node of "server" while the eth1 of the control-plane node is captured
    Then the answer is "ok"
    And the capture shows the SYN from the node of "server" with MSS 8960 and the API server's SYN-ACK with MSS 1460

  @claim:L18-16
  Scenario: With the router interface back at 9000, TLS works again under strict filtering
    Given a netshoot-server pod on any node, called "server"
    And the control-plane node's reverse-path filter is 1
    And the router's interface on the subnet of the node of "server" has MTU 1500
    And the router's interface on the subnet of the node of "server" has MTU 9000
    When the API server's /healthz is fetched over TLS from the node of "server"
    Then the answer is "ok"
