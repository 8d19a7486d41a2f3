@network-model
Feature: CNI wires pods in and out
  The container runtime calls the CNI plugin named by the node's first configuration file:
  ADD gives a new pod its interface and route, DEL takes them away and frees the address.

  @claim:NET-07
  Scenario: CNI ADD and DEL: a pod's host interface and route come and go, and its IP is released
    When a new pod is created on a worker node, called "newcomer"
    Then the node of "newcomer" routes its IP straight to its host interface, with no gateway
    And the host interface of "newcomer" is named by Calico's rule
    When "newcomer" is deleted
    Then the node of "newcomer" no longer has its host interface or a route to its IP
    And the IP of "newcomer" is free again in Calico's IPAM

  @claim:NET-08
  Scenario: Calico's configuration is the node's first CNI configuration file
    Given a multitool pod on a worker node, called "pod"
    Then the CNI configuration used on the node of "pod" is "10-calico.conflist", the first file in /etc/cni/net.d

  @claim:NET-08
  Scenario: The plugins Calico's configuration names are installed on the node
    Given a multitool pod on a worker node, called "pod"
    Then every plugin that "10-calico.conflist" names is an executable in /opt/cni/bin on the node of "pod"
