@lesson-11
Feature: The redis StatefulSet and its Services
  Lesson 11: the StatefulSet redis names its pods by ordinal; nginx-clusterip gets a virtual
  IP, while nginx-headless and redis-headless have none (clusterIP: None).

  @claim:L11-01
  Scenario: The StatefulSet's pods are ready and named by ordinal
    Then the StatefulSet "redis" has ready pods named "redis-0", "redis-1" and "redis-2"

  @claim:L11-01 @live-only:lab-pods-have-no-uts-namespace-of-their-own
  Scenario: Inside each StatefulSet pod, hostname prints the pod's name
    Then inside each pod of the StatefulSet "redis", hostname prints the pod's name

  @claim:L11-03
  Scenario: A ClusterIP Service gets an address; headless Services get none
    Then Service "nginx-clusterip" is of type ClusterIP with a clusterIP in the Service CIDR
    And Service "nginx-headless" is headless, with port 80/TCP
    And Service "redis-headless" is headless, with port 6379/TCP
    And the kubernetes Service holds the first address of the Service CIDR

  @claim:L11-07
  Scenario: The headless Service's EndpointSlice names each StatefulSet pod by hostname
    Then the EndpointSlice of Service "redis-headless" has one ready endpoint per pod of StatefulSet "redis", with the pod as hostname, its node, and port redis 6379/TCP
    And the endpoints of Service "nginx-headless" name their pod and node but have no hostname

  @claim:L11-16
  Scenario: kube-proxy programs the ClusterIP Service and nothing for the headless ones
    Then on every node, the nat table's KUBE-SERVICES sends port "http" of "nginx-clusterip" to the chain kube-proxy names for it
    And on every node, no rule of the nat table mentions Service "nginx-headless"
    And on every node, no rule of the nat table mentions Service "redis-headless"
