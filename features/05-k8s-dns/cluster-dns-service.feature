@lesson-05
Feature: The cluster DNS Service and its CoreDNS pods
  Lesson 05: pods use the kube-dns Service as their nameserver; behind its ClusterIP, the
  ready CoreDNS pods of kube-system answer on 53/UDP and 53/TCP, with metrics on 9153/TCP.

  @claim:L05-01
  Scenario: kube-dns is a ClusterIP Service at the tenth address of the Service CIDR
    Then the kube-dns Service is a ClusterIP Service at the tenth address of the Service CIDR, with the ports:
      | name    | port | protocol |
      | dns     | 53   | UDP      |
      | dns-tcp | 53   | TCP      |
      | metrics | 9153 | TCP      |

  @claim:L05-02
  Scenario: The endpoints of kube-dns are exactly the ready CoreDNS pods
    Then the ready endpoints of the kube-dns Service are exactly the Ready CoreDNS pods, with the Service's ports

  @claim:L05-09
  Scenario: Answers come from the kube-dns ClusterIP although a CoreDNS pod produced them
    Given a multitool-1 pod on a worker node, called "client"
    Then "client" looking up "nginx-service" with its search list is answered by the kube-dns ClusterIP on port 53
    And the node of "client" sends kube-dns's ports to kube-proxy's chains, and its conntrack maps the pod's DNS queries to a kube-dns endpoint:
      | port    | chain                     |
      | dns     | KUBE-SVC-TCOU7JCQXEZGVUNU |
      | dns-tcp | KUBE-SVC-ERIFXISQEP7F7OF4 |
