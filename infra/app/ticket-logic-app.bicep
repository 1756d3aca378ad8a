// Ticket Logic App (Consumption): HTTP request trigger taking the route stage's ticket payload
// (schemas/ticket.schema.json, updates per schemas/ticket-update.schema.json), a switch on
// ticketSystem, and Jira / ServiceNow connector actions. The API connections are created
// unauthorized: an operator signs them in once after deploy (docs/deploy.md). The trigger's
// callback URL carries a SAS signature, so it goes straight into Key Vault, never to an output.
param name string
param connectionNamePrefix string
param location string = resourceGroup().location
param tags object = {}
@allowed([
  'none'
  'jira'
  'servicenow'
])
param ticketSystem string
param jiraProjectKey string = ''
param jiraIssueTypeId string = ''
@description('Base URL of the Jira site, for ticket links, e.g. https://contoso.atlassian.net')
param jiraSiteUrl string = ''
param serviceNowTable string = 'incident'
@description('Base URL of the ServiceNow instance, for ticket links, e.g. https://contoso.service-now.com')
param serviceNowInstanceUrl string = ''
param keyVaultName string
param callbackUrlSecretName string
param logAnalyticsWorkspaceId string

resource jira 'Microsoft.Web/connections@2016-06-01' = {
  name: '${connectionNamePrefix}-jira'
  location: location
  tags: tags
  properties: {
    displayName: 'Jira (authorize after deploy)'
    api: {
      id: subscriptionResourceId('Microsoft.Web/locations/managedApis', location, 'jira')
    }
  }
}

resource serviceNow 'Microsoft.Web/connections@2016-06-01' = {
  name: '${connectionNamePrefix}-servicenow'
  location: location
  tags: tags
  properties: {
    displayName: 'ServiceNow (authorize after deploy)'
    api: {
      id: subscriptionResourceId('Microsoft.Web/locations/managedApis', location, 'service-now')
    }
  }
}

resource workflow 'Microsoft.Logic/workflows@2019-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    state: 'Enabled'
    definition: loadJsonContent('ticket-workflow.json')
    parameters: {
      '$connections': {
        value: {
          jira: {
            connectionId: jira.id
            connectionName: jira.name
            id: jira.properties.api.id
          }
          servicenow: {
            connectionId: serviceNow.id
            connectionName: serviceNow.name
            id: serviceNow.properties.api.id
          }
        }
      }
      ticketSystem: {
        value: ticketSystem
      }
      jiraProjectKey: {
        value: jiraProjectKey
      }
      jiraIssueTypeId: {
        value: jiraIssueTypeId
      }
      jiraSiteUrl: {
        value: jiraSiteUrl
      }
      serviceNowTable: {
        value: serviceNowTable
      }
      serviceNowInstanceUrl: {
        value: serviceNowInstanceUrl
      }
    }
  }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

// TICKET_LOGIC_APP_URL resolves to this secret through a Key Vault reference.
resource callbackUrlSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: callbackUrlSecretName
  properties: {
    value: listCallbackUrl('${workflow.id}/triggers/manual', '2019-05-01').value
    contentType: 'text/uri-list'
  }
}

resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: workflow
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        category: 'WorkflowRuntime'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

output id string = workflow.id
output name string = workflow.name
output jiraConnectionName string = jira.name
output serviceNowConnectionName string = serviceNow.name
