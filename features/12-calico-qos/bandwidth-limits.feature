@lesson-12 @topology:calico-qos
Feature: Bandwidth limits from pod annotations
  Lesson 12: Calico shapes a pod's traffic when the pod carries qos.projectcalico.org
  bandwidth annotations. Felix puts a token bucket (tbf) on the pod's host-side cali interface
  for the traffic to the pod, and redirects the traffic from the pod to an IFB device with a
  token bucket of its own. The cluster has a control-plane and one worker, where the course's
  iperf3 pairs run: iperf-server and iperf-client unshaped, iperf-server-qos and
  iperf-client-qos at 10 Mbit/s each way. Measurements last seconds, not the course's 30.

  @claim:L12-01
  Scenario: The four iperf pods run on the worker
    Then the pods "iperf-server, iperf-client, iperf-server-qos, iperf-client-qos" are Running and Ready on a worker node, none on the control-plane node

  @claim:L12-02
  Scenario: Each iperf server has a ClusterIP Service whose endpoint is its pod
    Then the Service "iperf-server" is a ClusterIP Service in the Service CIDR with one port, 5201/TCP to 5201, whose ready endpoint is the IP of pod "iperf-server"
    And the Service "iperf-server-qos" is a ClusterIP Service in the Service CIDR with one port, 5201/TCP to 5201, whose ready endpoint is the IP of pod "iperf-server-qos"

  @claim:L12-03
  Scenario: Without annotations, iperf3 through the Service runs far above the limit
    When "iperf-client" runs iperf3 against "iperf-server" for 1 second
    Then iperf3 connected to port 5201 of the ClusterIP of Service "iperf-server", and the receiver averaged more than 100 Mbit/s

  @claim:L12-04
  Scenario: The QoS pods carry both bandwidth annotations
    Then the annotations of pod "iperf-server-qos" include "qos.projectcalico.org/ingressBandwidth": "10M"
    And the annotations of pod "iperf-server-qos" include "qos.projectcalico.org/egressBandwidth": "10M"
    And the annotations of pod "iperf-client-qos" include "qos.projectcalico.org/ingressBandwidth": "10M"
    And the annotations of pod "iperf-client-qos" include "qos.projectcalico.org/egressBandwidth": "10M"

  @claim:L12-05
  Scenario: A pod without QoS annotations is not shaped
    Then the host interface of pod "iperf-server" has a noqueue root qdisc and nothing else, no filter, and no bwcali device
    And the host interface of pod "iperf-client" has a noqueue root qdisc and nothing else, no filter, and no bwcali device

  @claim:L12-06
  Scenario: Traffic to a QoS pod meets a token bucket on its cali interface
    Then the host interface of pod "iperf-server-qos" has a root tbf qdisc 1: at 10 Mbit/s
    And the host interface of pod "iperf-client-qos" has a root tbf qdisc 1: at 10 Mbit/s

  @claim:L12-07
  Scenario: Traffic from a QoS pod is redirected to an IFB device with its own token bucket
    Then the host interfaces of pods "iperf-server-qos" and "iperf-client-qos" redirect every packet to a bwcali device of each pod's own, UP, with the interface's MTU and a root tbf at 10 Mbit/s

  @claim:L12-08
  Scenario: Between the QoS pods iperf3 settles at the limit
    When "iperf-client-qos" runs iperf3 against "iperf-server-qos" for 3 seconds once the token buckets on the way are empty
    Then every one-second interval at the receiver after the burst carries 10 Mbit/s ± 20 %

  @claim:L12-09
  Scenario: The shaping happens in the client's IFB
    When "iperf-client-qos" runs iperf3 against "iperf-server-qos" for 2 seconds once the token buckets on the way are empty, while the tbf on its bwcali device is counted
    Then the tbf on the client's bwcali device sent at least the bytes iperf3 received, and counted overlimits

  @claim:L12-10
  Scenario: Deleting the QoS pods takes their shaping along
    When the pods "iperf-server-qos, iperf-client-qos" are deleted
    Then their host interfaces and bwcali devices are gone from their node
    When "iperf-client" runs iperf3 against "iperf-server" for 1 second
    Then iperf3 connected to port 5201 of the ClusterIP of Service "iperf-server", and the receiver averaged more than 100 Mbit/s
