"""Domain vocabulary shared by services and API: licences, name rules, input schemas."""
