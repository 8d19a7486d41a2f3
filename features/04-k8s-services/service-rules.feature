@lesson-04
Feature: kube-proxy's iptables rules for nginx-service, on every node
  Lesson 04, exercise 4: kube-proxy (iptables mode) writes the same rules on every node.
  KUBE-SERVICES, reached from PREROUTING and OUTPUT, matches the ClusterIP and port and jumps
  to the Service port's chain KUBE-SVC-<hash> (KUBE-SVC-6IM33IEVEEV7U3GP for
  default/nginx-service:http); that chain marks clients from outside the cluster CIDR for
  masquerade and picks an endpoint chain KUBE-SEP-<hash> at random; each endpoint chain DNATs
  to its pod. The hashes are the first 16 base32 characters of SHA-256 of the port's name and
  protocol (and the endpoint).

  @claim:L04-06
  Scenario: KUBE-SERVICES sends nginx-service's ClusterIP and port to the Service's chain
    Then on every node, the nat table's KUBE-SERVICES sends port "http" of "nginx-service" to the chain kube-proxy names for it

  @claim:L04-07
  Scenario: The Service chain masquerades outside clients and spreads over the endpoints
    Then on every node, the chain of port "http" of "nginx-service" marks clients from outside the cluster CIDR, then jumps to each ready endpoint with probability 1/(n-i)

  @claim:L04-08
  Scenario: Each endpoint chain marks hairpin traffic and DNATs to its pod
    Then on every node, each endpoint chain of port "http" of "nginx-service" holds the hairpin mark and the DNAT to its endpoint, nothing else
