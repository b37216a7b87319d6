var isApiExecutionSuccessful = botContext.isApiExecutionSuccessful();
if(isApiExecutionSuccessful){
  var apiStatusCode = botContext.getApiStatusCode();
  botContext.printDebugMessage("API Execution Successful with Status Code: "+apiStatusCode);
  if(apiStatusCode == "200"|apiStatusCode == "201"|apiStatusCode == "203"){
    botContext.printDebugMessage("All is well.");
  }else{
    botContext.printDebugMessage("Something went wrong!");
  }
}
