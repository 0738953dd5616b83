"""What an audit is asked to do: policy.yaml, mapping.yaml, the period, accepted risks
(waivers), each parsed and checked before any data is read."""
