@lesson-05
Feature: The resolv.conf the kubelet writes into pods
  Lesson 05: with dnsPolicy ClusterFirst, a pod's resolv.conf names the kube-dns ClusterIP,
  searches its own namespace's Service domain first, and sets ndots:5. A pod in `foo` starts
  with foo.svc.cluster.local; lesson 02 checks the `default` case.

  @claim:L05-06
  Scenario: A pod of the suite's namespace searches its own namespace first
    Given a multitool-1 pod on a worker node, called "pod"
    Then the DNS search list of "pod" starts with "<pod namespace>.svc.cluster.local svc.cluster.local cluster.local"
    And "pod" uses the cluster DNS Service IP as its only nameserver
    And the resolv.conf of "pod" sets option "ndots:5"

  @claim:L05-06
  Scenario: A pod of namespace foo searches foo first
    Given a multitool-3 pod of namespace "foo" on a worker node, called "pod"
    Then the DNS search list of "pod" starts with "foo.svc.cluster.local svc.cluster.local cluster.local"
    And "pod" uses the cluster DNS Service IP as its only nameserver
    And the resolv.conf of "pod" sets option "ndots:5"
