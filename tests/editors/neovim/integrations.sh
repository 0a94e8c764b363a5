: # integrations placeholder
