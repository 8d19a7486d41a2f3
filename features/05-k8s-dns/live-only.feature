@lesson-05
Feature: What only a live cluster shows of its DNS
  Lesson 05 reads kubeadm's CoreDNS ConfigMap, CoreDNS's metrics, and the resolv.conf Docker
  writes into each Kind node. The embedded lab has no ConfigMaps, runs a stand-in for CoreDNS
  and writes the nodes' files itself: these claims are checked on a live cluster only.

  @claim:L05-03 @live-only:the-lab-has-no-coredns-configmap
  Scenario: The Corefile configures the kubernetes plugin, forwarding, cache and health
    Then the Corefile of the cluster DNS holds the lines:
      | .:53 {                                           |
      | kubernetes cluster.local in-addr.arpa ip6.arpa { |
      | pods insecure                                    |
      | fallthrough in-addr.arpa ip6.arpa                |
      | ttl 30                                           |
      | prometheus :9153                                 |
      | forward . /etc/resolv.conf {                     |
      | cache 30                                         |
      | errors                                           |
      | health {                                         |
      | ready                                            |
      | loop                                             |
      | reload                                           |
      | loadbalance                                      |

  @claim:L05-04 @live-only:the-lab-coredns-stand-in-serves-no-metrics
  Scenario: CoreDNS serves Prometheus metrics on port 9153
    Given a multitool-1 pod on a worker node, called "client"
    Then every CoreDNS pod serves Prometheus metrics with coredns_ families on port 9153 to "client"

  @claim:L05-05 @live-only:the-lab-writes-the-node-resolv-conf-itself
  Scenario: A node resolves through Docker's gateway, not through the cluster DNS
    Then every node's resolv.conf names its network's gateway, searches no cluster.local domain and sets ndots:0
