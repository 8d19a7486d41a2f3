@network-model
Feature: Every pod reaches every pod, without NAT
  Any pod talks to any other pod, on any node, at the pod's own address, and the receiver
  sees the sender's own address. Checked as a full mesh over the suite's pods; the report
  carries the matrix of senders and receivers.

  @claim:NET-02
  Scenario: A full mesh of pods, each request arriving with its sender's own IP
    Then every pod of the suite reaches every other at its own IP, and each request arrives with the sender's own IP
