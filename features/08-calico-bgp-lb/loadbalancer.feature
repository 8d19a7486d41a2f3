@lesson-08 @topology:calico-bgp-lb
Feature: LoadBalancer Service addresses advertised to the top-of-rack router with BGP
  Lesson 08: lesson 07's cluster and switch, plus an IPPool for LoadBalancer addresses. Calico's
  LoadBalancer IPAM gives lb-nginx-service an address from it; once the BGP configuration lists
  the range in serviceLoadBalancerIPs, every node advertises it, the switch routes it through one
  node, through all three with several paths, and a connection from the switch reaches nginx
  through whichever node it picked, kube-proxy translating the address there.

  @claim:L08-01
  Scenario: A ClusterIP cannot be reached from outside the cluster
    Then a TCP connection from the router to Service "nginx-service"'s ClusterIP fails, and the router has no route covering the Service CIDR

  @claim:L08-02
  Scenario: An IP pool for LoadBalancer addresses only
    Then IP pool "loadbalancer-ip-pool" is one /28 block with block size 28, allowed uses "LoadBalancer" and assignment mode "Automatic", beside the default pool, and no pod has an address from it

  @claim:L08-03
  Scenario: Calico's LoadBalancer IPAM gives the Service an address from that pool
    Then Service "lb-nginx-service" has a LoadBalancer address from the LoadBalancer pool, a ClusterIP in the Service CIDR and a nodePort in 30000-32767
    And from the router, Service "lb-nginx-service"'s nodePort on a worker node answers as nginx

  @claim:L08-04
  Scenario: The BGP configuration lists the LoadBalancer range and keeps lesson 07's settings
    Then the BGP configuration advertises the LoadBalancer range, with AS number 65010 and the node-to-node mesh off

  @claim:L08-05
  Scenario: The range reaches the router only once serviceLoadBalancerIPs is set, one prefix from each node
    When the BGP configuration leaves serviceLoadBalancerIPs out
    Then the router has no route for the LoadBalancer range
    And Service "lb-nginx-service" has a LoadBalancer address from the LoadBalancer pool, a ClusterIP in the Service CIDR and a nodePort in 30000-32767
    When the BGP configuration advertises the LoadBalancer range again
    Then the router receives the LoadBalancer range and nothing else from each BGP-speaking node

  @claim:L08-06
  Scenario: With one BGP path, the router routes the range via one node
    Then the router routes the LoadBalancer range via exactly one BGP-speaking node

  @claim:L08-07
  Scenario: With several paths, the router routes the range via every node
    When the router installs up to 4 equal-cost BGP paths
    Then the router routes the LoadBalancer range via every BGP-speaking node

  @claim:L08-08
  Scenario: When one node's session goes down, the range stays routed via the others and the address reachable
    When the BGP session of one BGP-speaking node goes down, called "lost"
    Then the router routes the LoadBalancer range via the other BGP-speaking nodes, not via "lost"
    And from the router, Service "lb-nginx-service"'s LoadBalancer address answers as nginx

  @claim:L08-09
  Scenario: A connection from the router reaches nginx through the node it picked
    Then from the router, Service "lb-nginx-service"'s LoadBalancer address answers as nginx, translated by the node the router picked with kube-proxy's loadbalancer IP rule, which every node holds

  @claim:L08-10
  Scenario: The traffic crosses the node links unencapsulated
    Then a connection from the router to Service "lb-nginx-service"'s LoadBalancer address crosses no node's eth1 encapsulated in VXLAN

  @claim:L08-11 @live-only:ceos-cli-text
  Scenario: cEOS prints the range with one via line, three after maximum-paths
    Then the router routes the LoadBalancer range via exactly one BGP-speaking node
    When the router installs up to 4 equal-cost BGP paths
    Then the router routes the LoadBalancer range via every BGP-speaking node
